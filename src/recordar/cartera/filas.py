"""El lector de filas: convierte las filas de la hoja, ya con su cabecera, en facturas, omitidas
y rechazos con fila, columna, valor y motivo (facturas repetidas, filas largas de un CSV y
clientes en filas de grupo); lo que vale cada celda (estados, sí/no, importes, fechas, monedas)
está en filas_valores.py y los contactos por deudor en filas_contactos.py."""

from __future__ import annotations

from collections import defaultdict
from itertools import compress, repeat
from typing import Any

from recordar.cartera.cabecera import (
    OBLIGATORIOS,
    _identificador,
    _mapear,
    campo_de_encabezado,
    es_pagado,
    es_saldo,
)
from recordar.cartera.carga import Cartera, Factura, Omitida, Rechazo, clave_deudor
from recordar.cartera.columnas import _Columnas, _transponer
from recordar.cartera.danados import (
    _RE_CONTROL_QUITABLE,
    _RE_SOSPECHOSO,
    _RE_TEXTO_DANADO,
    _motivo_danado,
)
from recordar.cartera.filas_contactos import _Contactos
from recordar.cartera.filas_valores import _Valores
from recordar.cartera.grupos import (
    _RE_SUBTOTAL,
    _RE_TOTAL,
    _cliente_de_fila_de_grupo,
    _dato_evidente,
    _fila_vacia,
    _texto_de_grupo,
)
from recordar.cartera.valores import (
    cantidad,
    como_texto,
    es_vacio,
    mostrar_control,
    normalizar,
    parsear_monto,
)
from recordar.errores import ErrorCartera


class _Lector(_Contactos, _Valores):
    """Convierte las filas crudas de la hoja en una Cartera."""

    def __init__(self, ruta, donde, filas, indice, columnas, moneda, region, dia_primero,
                 libro=False):  # fmt: skip
        self.ruta = ruta
        # calamine lee una celda con error de fórmula (#N/A, #¡REF!) como vacía: en un libro,
        # «falta» puede ser eso.
        self.vacia = " (celda vacía o con un error de fórmula como #N/A)" if libro else ""
        self.libro = libro
        self.filas_largas: list[tuple[int, list]] = []  # CSV: (fila, celdas de más)
        self.donde = donde
        self.filas = filas
        self.indice = indice
        self.cabecera = [como_texto(c) for c in filas[indice]]
        self.moneda = moneda
        self.region = region
        self.dia_primero = dia_primero
        self.mapa = _mapear(filas[indice], columnas)
        self._revisar_columnas(columnas)
        self.forzadas = columnas
        self.avisos: list[Rechazo] = []  # de la hoja entera (filas de grupo, importe sin saldo)
        self.danadas: dict[int, list[tuple[str, str, str]]] = {}  # k → (campo, valor, motivo)
        self.pista_cliente = ""  # qué hacer con las filas sin cliente, si la hoja agrupa
        if "estado" in self.mapa and "estado" not in columnas and self._estado_es_importe():
            del self.mapa["estado"]  # «Pagado» con importes: lo abonado (ver _notas_de_columnas)
        self.ancho = max(len(self.cabecera), max(self.mapa.values()) + 1)
        self._controles = bool({"pausa_hasta", "promesa_pago", "disputa"} & set(self.mapa))
        usados = set(self.mapa.values())
        self.extras = [
            (j, _identificador(self.cabecera[j]))
            for j in range(len(self.cabecera))
            if j not in usados and _identificador(self.cabecera[j])
        ]

    def _revisar_columnas(self, columnas: dict[str, str]) -> None:
        encabezados = ", ".join(f"«{c}»" for c in self.cabecera if c) or "ninguno"
        for campo, encabezado in columnas.items():
            if campo not in self.mapa:
                raise ErrorCartera(
                    f"{self.donde}: columnas.{campo} de la política dice «{encabezado}», pero la "
                    f"hoja no tiene esa columna; encabezados en la fila {self.indice + 1}: {encabezados}"
                )
        faltan = [c for c in OBLIGATORIOS if c not in self.mapa]
        if "correo" not in self.mapa and "telefono" not in self.mapa:
            faltan.append("correo o teléfono")
        if faltan:
            raise ErrorCartera(
                f"{self.donde}: falta la columna de {', '.join(faltan)} (encabezados en la fila "
                f"{self.indice + 1}: {encabezados}); renómbrala o indícala en «columnas:» de la política"
            )

    def leer(self) -> Cartera:
        cartera = Cartera(
            ruta=self.ruta,
            hoja=None,
            fila_cabecera=self.indice + 1,
            columnas={campo: self.cabecera[j] for campo, j in self.mapa.items()},
            extras=[nombre for _, nombre in self.extras],
        )
        cartera.notas = self._notas_de_columnas()
        numeros_fila, filas = self._filas_de_datos()
        self._rechazar_filas_largas(cartera)
        c = self._interpretar(filas)
        if "" in c.clientes:  # alguna fila sin cliente: ¿la hoja pone el cliente en filas de grupo?
            agrupadas = self._clientes_de_grupo(numeros_fila, filas)
            if agrupadas is not None:
                numeros_fila, filas = agrupadas
                c = self._interpretar(filas)
        self.numeros_fila = numeros_fila
        cartera.avisos.extend(self.avisos)
        self.danadas = self._textos_danados(c, cartera)
        candidatas = self._leer_filas(numeros_fila, c, cartera)
        numeros = [r.factura if type(r) is Omitida else r.numero for _, r in candidatas]
        por_numero: dict[str, list[int]] = {}
        if len(set(numeros)) < len(numeros):  # hay facturas repetidas
            por_numero = defaultdict(list)
            for k, numero in enumerate(numeros):
                por_numero[numero].append(k)
        repetidas = self._repetidas(por_numero, candidatas, cartera)
        for k, (_, resultado) in enumerate(candidatas):
            if k in repetidas:
                cartera.numeros_rechazados.add(numeros[k])
            elif type(resultado) is Omitida:
                cartera.omitidas.append(resultado)
            else:
                cartera.facturas.append(resultado)
        return cartera

    def _interpretar(self, filas: list[list]) -> _Columnas:
        # Cada columna se interpreta una vez por valor distinto (clientes, fechas, contactos y
        # monedas se repiten mucho); luego cada fila solo junta lo ya interpretado.
        self.columnas_hoja = _transponer(filas, self.ancho)
        self.celdas = {campo: self.columnas_hoja[j] for campo, j in self.mapa.items()}
        return _Columnas(self, filas)

    def _leer_filas(
        self, numeros_fila: list[int], c: _Columnas, cartera: Cartera
    ) -> list[tuple[int, Factura | Omitida]]:
        """(fila, factura u omitida) de cada fila sin rechazos; los números de las rechazadas
        van a cartera.numeros_rechazados.

        Lo común (sin pagar, importe positivo, nada que rechazar) se resuelve aquí mismo; lo
        demás, con _leer_fila. Por fila, el resultado es el mismo que con _leer_fila.
        """
        candidatas: list[tuple[int, Factura | Omitida]] = []
        agregar = candidatas.append
        ninguno = repeat(None)  # las columnas que la hoja no tiene (zip acaba con la más corta)
        predeterminada, controles, danadas = self.moneda, self._controles, self.danadas
        con_opcionales = any(x is not None for x in (c.no_contactar, c.zonas, c.canales))
        nombres = [nombre for nombre, _ in c.extras]
        extras = zip(*(v for _, v in c.extras), strict=True) if nombres else repeat(())
        for k, n, cliente, numero, deudor, importe, fecha, codigo, pagada, correos, telefonos, \
                enlace, disputa, valores_extra in zip(
                    range(len(numeros_fila)), numeros_fila, c.clientes, c.numeros, c.deudores,
                    c.montos, c.vencimientos, c.monedas or repeat(""), c.pagadas or ninguno,
                    c.correos or ninguno, c.telefonos or ninguno, c.enlaces or repeat(""),
                    c.disputas or repeat(False), extras, strict=False):  # fmt: skip
            contacto = self._contacto(deudor, cartera)
            if correos is not None:
                self._unir_contactos(k, n, "correo", contacto.correos, correos, cartera)
            if telefonos is not None:
                self._unir_contactos(k, n, "telefono", contacto.telefonos, telefonos, cartera)
            if con_opcionales:
                self._contacto_opcional(k, n, contacto, c, cartera)
            monto, moneda_celda, motivo = importe
            if (
                not cliente or not numero or pagada or motivo or fecha[1]
                or not (codigo or (codigo == "" and not moneda_celda)) or monto <= 0 or controles
                or (moneda_celda and moneda_celda != codigo) or k in danadas
            ):  # fmt: skip
                resultado = self._leer_fila(k, n, c, cartera)
                if resultado is None:
                    cartera.numeros_rechazados.add(numero)
                else:
                    agregar((n, resultado))
                continue
            extras_fila = dict(zip(nombres, valores_extra, strict=True))
            moneda = codigo or predeterminada
            factura = Factura(n, numero, cliente, deudor, monto, fecha[0], moneda, enlace,
                              extras_fila, None, disputa, None)  # fmt: skip
            agregar((n, factura))
        return candidatas

    def _filas_de_datos(self) -> tuple[list[int], list[list]]:
        """(número de fila visible, celdas completadas al ancho) de las filas con datos."""
        ancho = self.ancho
        numeros, filas, totales = [], [], []
        for i in range(self.indice + 1, len(self.filas)):
            fila = self.filas[i]
            if len(fila) < ancho:
                fila = fila + [None] * (ancho - len(fila))
            elif len(fila) > ancho and not self.libro and not _fila_vacia(fila[ancho:]):
                # En un CSV, celdas de más corren las columnas (p. ej. «1,500.00» sin comillas
                # en un CSV con comas): la fila se rechaza, no se lee corrida.
                self.filas_largas.append((i + 1, fila))
                continue
            if not _dato_evidente(fila[0]):
                if _fila_vacia(fila):
                    continue
                if self._es_total(fila):
                    totales.append(i + 1)
                    continue
            numeros.append(i + 1)
            filas.append(fila)
        # Una fila de =SUMA() sin rótulo solo al pie: en medio de la hoja, una fila con solo el
        # importe es la continuación de celdas combinadas, y se rechaza a la vista.
        while filas and self._es_suma_sin_rotulo(filas[-1]):
            filas.pop()
            numeros.pop()
        self.totales = totales  # cierran los grupos de _clientes_de_grupo
        return numeros, filas

    def _estado_es_importe(self) -> bool:
        """Si la columna de estado se llama «Pagado» y tiene importes (500, «1,250.00»), no sí o
        no: es lo abonado, no el estado (un 1 pagado marcaba la factura como pagada)."""
        j = self.mapa["estado"]
        if not es_pagado(normalizar(self.cabecera[j])):
            return False
        for fila in self.filas[self.indice + 1 :]:
            v = fila[j] if j < len(fila) else None
            if type(v) in (int, float) and v not in (0, 1):
                return True
            if type(v) is str and any(ch.isdigit() for ch in v) and v.strip() not in ("0", "1"):
                try:
                    parsear_monto(v)
                except ValueError:
                    continue
                return True
        return False

    def _notas_de_columnas(self) -> list[str]:
        """Qué columna de importe se cobra si hay más de una («Importe» y «Saldo»); si se cobra
        un importe y la hoja tiene lo abonado pero ningún saldo, un aviso: se cobra entero."""
        j = self.mapa["monto"]
        cobrada = self.cabecera[j]
        otras = [h for i, h in enumerate(self.cabecera) if i != j and h
                 and campo_de_encabezado(h) == "monto"]  # fmt: skip
        notas = []
        if otras:
            cual = (
                "el saldo, lo que falta por pagar"
                if es_saldo(normalizar(cobrada))
                else "el importe"
            )
            notas.append(
                f"Importe: se cobra la columna «{cobrada}» ({cual}), no "
                + " ni ".join(f"«{h}»" for h in otras)
                + "; si es otra, indícala en «columnas: monto:» de la política"
            )
        pagadas = [h for i, h in enumerate(self.cabecera) if i != j and h
                   and es_pagado(normalizar(h)) and i not in self.mapa.values()]  # fmt: skip
        if pagadas and not es_saldo(normalizar(cobrada)) and "monto" not in self.forzadas:
            self.avisos.append(Rechazo(
                self.indice + 1, pagadas[0], "",
                f"la hoja tiene «{cobrada}» y «{pagadas[0]}» pero ninguna columna de saldo: se "
                f"cobra «{cobrada}» entero, sin restar lo pagado; agrega una columna «Saldo» con "
                "lo que falta por pagar o indica la que se cobra en «columnas: monto:» de la política",
            ))  # fmt: skip
        return notas

    def _textos_danados(self, c: _Columnas, cartera: Cartera) -> dict[int, list]:
        """Fila → [(campo, valor, motivo)] de los números de factura con caracteres de control
        y de los clientes y números con «�» o texto mal decodificado: esas filas se rechazan
        (ese texto iría al cliente). A un cliente con solo caracteres de control (un salto de
        línea suave pegado de Word) se le quitan, con un aviso. Se busca una vez en todos los
        valores distintos juntos; fila por fila, solo si hay alguno."""
        danadas: dict[int, list[tuple[str, str, str]]] = {}
        for campo, textos in (("cliente", c.clientes), ("factura", c.numeros)):
            # Una clase de caracteres sobre todo junto (~2 ms con 100 000 filas); lo demás, solo
            # si aparece alguno de esos caracteres.
            if not _RE_SOSPECHOSO.search(" ".join(textos)):
                continue
            malos = {t: _motivo_danado(t) for t in dict.fromkeys(textos)
                     if _RE_TEXTO_DANADO.search(t)}  # fmt: skip
            if not malos:
                continue
            for k, t in enumerate(textos):
                if t not in malos:
                    continue
                limpio = _RE_CONTROL_QUITABLE.sub("", t).strip()
                if campo == "cliente" and limpio and not _RE_TEXTO_DANADO.search(limpio):
                    textos[k], c.deudores[k] = limpio, clave_deudor(limpio)
                    self._rechazo(cartera, self.numeros_fila[k], campo, mostrar_control(t),
                                  f"«{mostrar_control(t)}» tenía caracteres de control: se usa "
                                  f"«{limpio}»; corrige la celda", aviso=True)  # fmt: skip
                else:
                    danadas.setdefault(k, []).append((campo, mostrar_control(t), malos[t]))
        return danadas

    def _clientes_de_grupo(
        self, numeros: list[int], filas: list[list]
    ) -> tuple[list[int], list[list]] | None:
        """Hojas que ponen el cliente solo en una fila de grupo («Cliente: Ana», o solo el
        nombre) encima de sus facturas, que lo dejan vacío, y cierran con «Total Ana» (las
        exportaciones de antigüedad de saldos de CONTPAQi, Aspel o QuickBooks): cada factura
        toma el cliente de su grupo, con un aviso. Solo si no hay duda: cada fila sin cliente
        está en un grupo, cada grupo tiene facturas y ninguna dice otro cliente; si no, las
        filas sin cliente se rechazan diciendo qué hacer. None si la hoja no es así."""
        jc = self.mapa["cliente"]
        grupos: dict[int, str] = {}  # posición de la fila de grupo → cliente
        # Solo las filas sin importe pueden ser de grupo (sin mirar cada fila entera).
        for p in compress(range(len(filas)), map(es_vacio, self.celdas["monto"])):
            nombre = _cliente_de_fila_de_grupo(filas[p])
            if nombre:
                grupos[p] = nombre
        if not grupos:
            return None
        cortes = self.totales
        grupo: int | None = None
        miembros: dict[int, int] = dict.fromkeys(grupos, 0)
        claro = True
        cliente_de: dict[int, str] = {}
        fin = iter(cortes)  # en orden de fila
        siguiente_corte = next(fin, None)
        for p, (n, fila) in enumerate(zip(numeros, filas, strict=True)):
            while siguiente_corte is not None and siguiente_corte < n:
                grupo = None  # un «Total Ana» cierra el grupo
                siguiente_corte = next(fin, None)
            if p in grupos:
                grupo = p
                continue
            propio = fila[jc]
            if es_vacio(propio):
                if grupo is None:
                    claro = False
                    break
                cliente_de[p] = grupos[grupo]
                miembros[grupo] += 1
            elif grupo is not None:
                if clave_deudor(como_texto(propio)) != clave_deudor(grupos[grupo]):
                    grupo = None  # una fila con otro cliente: ya no es el grupo
                else:
                    miembros[grupo] += 1
        # Una fila sola sin facturas debajo («Elaborado por: Juan» al pie) no es un grupo: queda
        # como una fila más (y se rechaza por lo que le falta).
        grupos = {p: nombre for p, nombre in grupos.items() if miembros[p]}
        if not claro or not cliente_de:
            self.pista_cliente = (
                "; la hoja parece poner el cliente solo en filas de grupo («Cliente: …») pero no "
                "de forma clara: escribe el cliente en cada fila de factura"
            )
            return None
        for p, cliente in cliente_de.items():
            fila = filas[p] = list(filas[p])
            fila[jc] = cliente
        primera = min(grupos)
        self.avisos.append(Rechazo(
            numeros[primera], self.cabecera[jc], _texto_de_grupo(filas[primera]),
            f"la hoja pone el cliente en una fila de grupo encima de sus facturas "
            f"({cantidad(len(grupos), 'grupo')}, {cantidad(len(cliente_de), 'factura')} sin "
            "cliente): cada factura toma el cliente de su grupo y las filas de grupo y de "
            "«Total …» no se cobran; revisa que sea correcto",
        ))  # fmt: skip
        quedan = [p for p in range(len(filas)) if p not in grupos]
        return [numeros[p] for p in quedan], [filas[p] for p in quedan]

    def _rechazar_filas_largas(self, cartera: Cartera) -> None:
        ultima = self.cabecera[self.ancho - 1] or f"columna {self.ancho}"
        for n, fila in self.filas_largas:
            de_mas = [como_texto(c) for c in fila[self.ancho :]]
            cartera.rechazos.append(Rechazo(
                n, f"después de «{ultima}»", ", ".join(de_mas),
                f"la fila tiene {len(fila)} celdas y la cabecera {self.ancho}: ¿un importe con "
                "coma de miles sin comillas (1,500.00)? Pon ese valor entre comillas o quita la "
                "celda de más",
            ))  # fmt: skip
            numero = fila[self.mapa["factura"]]
            if not es_vacio(numero):
                cartera.numeros_rechazados.add(como_texto(numero))

    def _repetidas(self, por_numero, candidatas, cartera: Cartera) -> set[int]:
        repetidas: set[int] = set()
        columna = self.cabecera[self.mapa["factura"]]
        for numero, indices in por_numero.items():
            if len(indices) < 2:
                continue
            filas = [candidatas[k][0] for k in indices]
            for k, fila in zip(indices, filas, strict=True):
                otras = ", ".join(str(f) for f in filas if f != fila)
                cartera.rechazos.append(
                    Rechazo(
                        fila,
                        columna,
                        numero,
                        f"factura «{numero}» repetida (también en la fila {otras}); deja una sola fila por factura",
                    )
                )
                repetidas.add(k)
        cartera.rechazos.sort(key=lambda r: r.fila)
        return repetidas

    def _celda(self, fila: list, campo: str) -> Any:
        j = self.mapa.get(campo)
        return None if j is None else fila[j]  # las filas ya vienen completadas al ancho

    def _es_total(self, fila: list) -> bool:
        primera = fila[0]
        if type(primera) is str and primera[:1].isalnum():  # el caso común, sin recorrer la fila
            return not _dato_evidente(primera) and self._es_total_lento(fila)
        primera = next((c for c in fila if not es_vacio(c)), None)
        if not isinstance(primera, str) or primera.lstrip()[:1].lower() not in ("t", "s", "g"):
            return False
        return self._es_total_lento(fila)

    def _es_suma_sin_rotulo(self, fila: list) -> bool:
        """Una fila de =SUMA() al pie, sin rótulo: sin cliente, factura ni vencimiento, pero con
        importe."""
        return not es_vacio(self._celda(fila, "monto")) and all(
            es_vacio(self._celda(fila, c)) for c in ("cliente", "factura", "vencimiento")
        )

    def _es_total_lento(self, fila: list) -> bool:
        factura = self._celda(fila, "factura")
        if not es_vacio(factura):
            # «Total Ana» en la columna de la factura (el subtotal de un grupo) también cuenta.
            texto = normalizar(como_texto(factura))
            if not _RE_TOTAL.match(texto) and not (
                _RE_SUBTOTAL.match(texto) and es_vacio(self._celda(fila, "vencimiento"))
            ):
                return False
        for celda in fila:
            if not es_vacio(celda):
                if not isinstance(celda, str):
                    return False
                texto = normalizar(celda)
                if _RE_TOTAL.match(texto):
                    return True
                return bool(_RE_SUBTOTAL.match(texto)) and es_vacio(
                    self._celda(fila, "vencimiento")
                )
        return False

    def _rechazo(
        self, cartera: Cartera, n: int, campo: str, valor: Any, motivo: str, aviso=False
    ) -> None:
        r = Rechazo(n, self.cabecera[self.mapa[campo]], como_texto(valor), motivo)
        (cartera.avisos if aviso else cartera.rechazos).append(r)

    def _leer_fila(
        self, k: int, n: int, c: _Columnas, cartera: Cartera
    ) -> Factura | Omitida | None:
        """La fila k (número visible n) sin su contacto: factura, omitida o None si se rechaza."""
        antes = len(cartera.rechazos)
        cliente, numero = c.clientes[k], c.numeros[k]
        for campo, valor, motivo in self.danadas.get(k, ()):
            self._rechazo(cartera, n, campo, valor, motivo)
        if not cliente:
            self._rechazo(
                cartera, n, "cliente", "", "falta el nombre del cliente" + self.pista_cliente
            )
        if not numero:
            self._rechazo(cartera, n, "factura", "", "falta el número de factura")
        deudor = c.deudores[k]
        pagada = c.pagadas[k] if c.pagadas is not None else False
        if pagada is True:
            if len(cartera.rechazos) > antes:
                return None
            return Omitida(n, numero, "pagada (según la columna de estado)", cliente)
        if pagada:  # un estado que no se reconoce: se cobra, pero se avisa
            self._rechazo(cartera, n, "estado", pagada,
                          f"estado «{pagada}» no reconocido: se toma como pendiente; escribe "
                          "«Pagada» si ya se pagó o «Pendiente» si no", aviso=True)  # fmt: skip
        monto, moneda_celda, motivo = c.montos[k]
        if motivo:
            self._rechazo(cartera, n, "monto", self.celdas["monto"][k], motivo)
        vencimiento, motivo = c.vencimientos[k]
        if motivo:
            self._rechazo(cartera, n, "vencimiento", self.celdas["vencimiento"][k], motivo)
        moneda = self._moneda(k, n, moneda_celda, c, cartera)
        if len(cartera.rechazos) > antes:
            return None
        if monto == 0:
            return Omitida(n, numero, "saldo 0", cliente)
        if monto < 0:
            return Omitida(n, numero, "nota de crédito (importe negativo)", cliente)
        pausa = promesa = None
        if self._controles:
            pausa = self._fecha_opcional(k, n, "pausa_hasta", c.pausas, cartera)
            promesa = self._fecha_opcional(k, n, "promesa_pago", c.promesas, cartera)
            if len(cartera.rechazos) > antes:
                return None
        extras = {nombre: valores[k] for nombre, valores in c.extras}
        enlace = c.enlaces[k] if c.enlaces is not None else ""
        disputa = self._marca(k, n, "disputa", c.disputas, cartera)
        return Factura(n, numero, cliente, deudor, monto, vencimiento, moneda, enlace, extras,
                       pausa, disputa, promesa)  # fmt: skip
