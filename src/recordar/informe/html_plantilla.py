"""La página del informe html: su plantilla Jinja2 (con escape automático) y su CSS, dentro
del archivo. La llenan los datos que prepara `informe.html`.

Sin JavaScript. De un teléfono a A4: las tarjetas y las gráficas se reparten en una rejilla
que cambia de columnas con el ancho, las tablas anchas se desplazan dentro de su caja, y al
imprimir se quitan la navegación y los cortes dentro de una tarjeta, gráfica o deudor.
"""

CSS = """
:root{--borde:#d0d7de;--suave:#f6f8fa;--tenue:#57606a;--acento:#1f5f8b;--alerta:#b42318}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1f2328;background:#fff;margin:0 auto;padding:1rem;max-width:75rem;overflow-wrap:anywhere}
h1{font-size:1.45rem;margin:.2rem 0 .4rem}
h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:2px solid var(--borde)}
h3{font-size:1rem;margin:0}
p{margin:.3rem 0}
.tenue,.meta{color:var(--tenue)}
.etiqueta{display:inline-block;background:#fff4e5;border:1px solid #f0b45a;border-radius:4px;
 padding:0 .4rem;font-size:.85rem;font-weight:600}
nav{display:flex;flex-wrap:wrap;gap:.3rem .9rem;margin:.6rem 0 1rem;font-size:.9rem}
nav a{color:var(--acento)}
.tarjetas{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,13rem),1fr));
 gap:.6rem;margin:.6rem 0}
.tarjeta{border:1px solid var(--borde);border-radius:8px;padding:.6rem .8rem;min-width:0}
.tarjeta h3{font-size:.85rem;font-weight:600;color:var(--tenue);text-transform:uppercase;
 letter-spacing:.02em}
.cifra{font-size:1.25rem;font-weight:700;margin:.1rem 0;font-variant-numeric:tabular-nums}
.cifra.larga{font-size:1.05rem}
.tarjeta.alerta .cifra{color:var(--alerta)}
.tarjeta p:last-child{font-size:.85rem;color:var(--tenue)}
.graficas{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,28rem),1fr));
 gap:1rem}
figure{margin:0;border:1px solid var(--borde);border-radius:8px;padding:.5rem;min-width:0}
figure svg{display:block}
.caja{overflow-x:auto;max-width:100%;margin:.4rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;overflow-wrap:normal}
th,td{padding:.35rem .55rem;border-bottom:1px solid var(--borde);text-align:left;
 vertical-align:top}
th{background:var(--suave);white-space:nowrap}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.tramo{content-visibility:auto;contain-intrinsic-size:auto 60rem}
table.lista{table-layout:fixed;min-width:40rem}
.lista th:nth-child(1){width:28%}.lista th:nth-child(2){width:24%}.lista th:nth-child(3){width:15%}
.lista th:nth-child(4){width:7%}.lista th:nth-child(5){width:14%}
.lista td{overflow-wrap:anywhere}
.deudor{border:1px solid var(--borde);border-radius:8px;padding:.6rem .8rem;margin:.6rem 0}
.deudor>header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.1rem 1rem}
.deudor>header>*{min-width:0}
.saldo{font-weight:700;font-variant-numeric:tabular-nums}
.meta{font-size:.88rem}
details{margin:.35rem 0}
summary{cursor:pointer}
.mensaje>summary b{font-weight:600}
.cuerpo{white-space:pre-wrap;background:var(--suave);border-radius:6px;padding:.5rem .7rem;
 margin:.3rem 0;font-size:.9rem}
.nota{background:var(--suave);border-left:4px solid var(--acento);padding:.4rem .7rem}
ul{padding-left:1.3rem}
.solo-papel{display:none}
@media (max-width:40rem){body{padding:.6rem;font-size:14px}
 .tarjetas{grid-template-columns:repeat(2,minmax(0,1fr));gap:.4rem}
 .tarjeta{padding:.45rem .5rem}.tarjeta h3{font-size:.72rem}.cifra{font-size:.95rem}
 .cifra.larga{font-size:.8rem}}
@media print{
 @page{size:A4;margin:14mm}
 body{max-width:none;padding:0;font-size:9.5pt}
 nav,.en-linea{display:none}
 .solo-papel{display:block}
 .tarjeta,figure,.deudor,tr{break-inside:avoid}
 h2,h3{break-after:avoid}
 .caja{overflow:visible}
 table{overflow-wrap:anywhere}
 .graficas{grid-template-columns:1fr}
 a{color:inherit;text-decoration:none}
}
"""

PLANTILLA_HTML = (
    """<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>recordar · informe del {{ fecha }}</title>
<style>"""
    + CSS
    + """</style></head><body>
{% macro tabla(t) %}
{% if t.filas %}
<div class="caja"><table>
<thead><tr>{% for c in t.columnas %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for fila in t.filas %}<tr>{% for v in fila %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
{% if t.fuera %}<p class="nota">… y {{ numero(t.fuera) }} más en el informe .json o .csv, que lo \
lleva todo (<code>--salida informe.json</code>).</p>{% endif %}
{% endif %}
{% endmacro %}
<header>
<h1>Informe de cobranza · {{ fecha }}</h1>
<p>{% if datos.simulacro %}<span class="etiqueta">Simulacro: nada se envió</span> {% endif %}\
{% if datos.cartera %}Cartera <b>{{ datos.cartera }}</b>{% if datos.hoja %}, hoja «{{ datos.hoja }}»\
{% endif %}.{% endif %}</p>
<nav aria-label="Secciones">
<a href="#cifras">Cifras</a><a href="#plan">Plan de hoy</a><a href="#tareas">Tareas</a>
<a href="#omitidas">Omitidas</a><a href="#rechazos">Rechazos</a><a href="#avisos">Avisos</a>
</nav>
</header>
<main>
<section id="cifras" aria-label="Cifras">
{% for m in monedas %}
{% if monedas|length > 1 %}<h2>Cifras en {{ m.moneda }}</h2>{% endif %}
<div class="tarjetas">
{% for titulo, cifra, detalle, clase in m.tarjetas %}
<div class="tarjeta {{ clase }}"><h3>{{ titulo }}</h3><p class="cifra{% if cifra|length > 14 %} larga{% endif %}">{{ cifra }}</p><p>{{ detalle }}</p></div>
{% endfor %}
{% if loop.first %}
<div class="tarjeta"><h3>Tareas abiertas</h3><p class="cifra">{{ numero(tareas_total) }}</p><p>{{ tareas_detalle }}</p></div>
{% endif %}
</div>
{% if loop.first %}
<div class="graficas">
{% for g in m.graficas %}
<figure>{{ g.svg }}
{% if g.filas %}<details><summary>Ver las cifras</summary>{{ tabla({"columnas": g.columnas, "filas": g.filas}) }}</details>{% endif %}
</figure>
{% endfor %}
</div>
{% else %}
{% for g in m.graficas if g.filas %}
<details><summary>{{ g.titulo }}</summary>{{ tabla({"columnas": g.columnas, "filas": g.filas}) }}</details>
{% endfor %}
{% endif %}
{% else %}
<div class="tarjetas"><div class="tarjeta"><h3>Tareas abiertas</h3><p class="cifra">{{ numero(tareas_total) }}</p><p>{{ tareas_detalle }}</p></div></div>
<p class="tenue">Este informe no trae las cifras de dinero de la cartera.</p>
{% endfor %}
{% if resumen %}
<details><summary>Cuadre de la hoja</summary>
<div class="caja"><table><tbody>
{% for k, v in resumen %}<tr><th scope="row">{{ k }}</th><td class="num">{{ v }}</td></tr>
{% endfor %}</tbody></table></div></details>
{% endif %}
</section>
{% for s in ejecucion %}
<section>
<h2>{{ s.titulo }}{% if s.contar is not defined %} ({{ s.lineas|length + s.fuera }}){% endif %}</h2>
{% if s.tabla %}{{ tabla(s.tabla) }}{% else %}
<ul>{% for linea in s.lineas %}<li>{{ linea }}</li>{% endfor %}</ul>
{% if s.fuera %}<p class="nota">… y {{ numero(s.fuera) }} más en el informe .json o .csv.</p>{% endif %}
{% endif %}
</section>
{% endfor %}
<section id="plan">
<h2>{% if datos.simulacro %}Plan de hoy{% else %}Enviado hoy{% endif %}: {{ cuantas(plan.mensajes, "mensaje") }} a {{ cuantas(plan.deudores, "deudor", "deudores") }}</h2>
{% if not plan.deudores %}<p>Hoy no toca ningún mensaje.</p>{% endif %}
{% for d in plan.completos %}
<article class="deudor">
<header><h3>{{ d.cliente }}</h3><span class="saldo">{{ d.saldo }}</span></header>
<p class="meta">{{ d.meta }}{% if d.canales %} · {{ d.canales }}{% endif %}</p>
{% for m in d.mensajes %}
<details class="mensaje"><summary><b>{{ m.canal }}</b> a {{ m.destinatario }}{% if m.asunto %}: «{{ m.asunto }}»{% endif %}\
{% if m.estado %} · <span class="etiqueta">{{ m.estado }}</span>{% endif %}</summary>
{% if m.extra %}<p class="meta">{{ m.extra }}</p>{% endif %}
{% if m.detalle %}<p class="meta">{{ m.detalle }}</p>{% endif %}
<div class="cuerpo">{{ m.cuerpo }}</div>
</details>
{% endfor %}
</article>
{% endfor %}
{% if plan.en_linea %}
<h3>Los otros {{ cuantas(plan.en_linea|length + plan.fuera, "deudor", "deudores") }}</h3>
<p class="nota">Aquí van en una línea cada uno; sus mensajes completos están en el informe .json \
o .csv (<code>--salida informe.json</code>).</p>
<p class="nota solo-papel">Esta lista no se imprime (serían cientos de páginas): está en la \
página y en el informe .json o .csv.</p>
<div class="en-linea">
{% for tramo in plan.en_linea|batch(limites.tramo) %}
<div class="caja tramo"><table class="lista">
<thead><tr><th scope="col">Cliente</th><th scope="col">Facturas</th><th scope="col">Saldo</th>\
<th scope="col">Días</th><th scope="col">Paso</th><th scope="col">Canales</th></tr></thead>
<tbody>
{% for c, f, s, d, p, k in tramo %}<tr><td>{{ c }}</td><td>{{ f }}</td><td class="num">{{ s }}</td><td class="num">{{ d }}</td><td>{{ p }}</td><td>{{ k }}</td></tr>
{% endfor %}</tbody></table></div>
{% endfor %}
{% if plan.fuera %}<p class="nota">… y {{ numero(plan.fuera) }} deudores más, solo en el informe .json o .csv.</p>{% endif %}
</div>
{% endif %}
</section>
<section id="tareas">
<h2>Tareas de hoy ({{ numero(tareas.total) }})</h2>
{% if tareas.filas %}{{ tabla(tareas) }}{% else %}<p>Ninguna.</p>{% endif %}
</section>
<section id="omitidas">
<h2>Omitidas ({{ numero(omitidas|sum(attribute="facturas")) }})</h2>
{% for g in omitidas %}
<details{% if omitidas|length == 1 and g.facturas <= 20 %} open{% endif %}><summary><b>{{ g.motivo }}</b>: \
{{ cuantas(g.facturas, "factura") }} de {{ cuantas(g.deudores, "deudor", "deudores") }}</summary>
<div class="caja"><table>
<thead><tr><th scope="col">Fila</th><th scope="col">Factura</th><th scope="col">Cliente</th><th scope="col">Motivo</th></tr></thead>
<tbody>
{% for o in g.filas %}<tr><td class="num">{{ o.fila }}</td><td>{{ o.factura }}</td><td>{{ o.cliente }}</td><td>{{ o.motivo }}</td></tr>
{% endfor %}</tbody></table></div>
{% if g.fuera %}<p class="nota">… y {{ numero(g.fuera) }} más con este motivo en el informe .json o .csv.</p>{% endif %}
</details>
{% else %}<p>Ninguna.</p>
{% endfor %}
</section>
<section id="rechazos">
<h2>Rechazos ({{ numero(rechazos.total) }})</h2>
{% if rechazos.filas %}<p class="tenue">Filas de la hoja que no se pudieron leer: corrígelas y vuelve a ejecutar.</p>
{{ tabla(rechazos) }}{% else %}<p>Ninguno.</p>{% endif %}
</section>
<section id="avisos">
<h2>Avisos ({{ numero(avisos.total) }})</h2>
{% if avisos.filas %}{{ tabla(avisos) }}{% else %}<p>Ninguno.</p>{% endif %}
</section>
{% for titulo, t in de_la_ejecucion %}
<section>
<h2>{{ titulo }} ({{ numero(t.total) }})</h2>
{{ tabla(t) }}
</section>
{% endfor %}
</main>
</body></html>
"""
)
