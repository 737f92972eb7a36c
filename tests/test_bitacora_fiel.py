"""La bitácora nunca miente: un cerrojo por archivo (no por ruta), un archivo vaciado o ajeno no
es una bitácora nueva, una hoja vacía o filtrada no paga facturas, permisos solo del dueño y
errores del archivo en una frase en español con código 2."""

import contextlib
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from recordar.bitacora import MIGRACIONES, Bitacora
from recordar.errores import ErrorBitacora
from tests.canal_falso import CanalMemoria
from tests.conftest import CABECERA, HOY, escribir_csv, escribir_xlsx, preparar_carpeta

POLITICA = """
pasos:
  - {id: recordatorio, dias: 1, canales: [email], plantilla: recordatorio}
canales:
  email: {tipo: memoria}
"""


def _filas(numeros, dias=1):
    return [[f"Cliente {n}", f"c{n}@ejemplo.com", "", f"F-{n}", HOY - timedelta(days=dias), 100]
            for n in numeros]  # fmt: skip


@pytest.fixture
def carpeta(en_tmp, monkeypatch):
    preparar_carpeta(en_tmp, POLITICA, monkeypatch)
    escribir_xlsx(en_tmp / "cartera.xlsx", [CABECERA, *_filas(range(10))])
    return en_tmp


def _enviar(correr, *extra, hoy=HOY):
    return correr("enviar", "cartera.xlsx", "--hoy", hoy.isoformat(), *extra)


def _consulta(ruta: Path, sql: str) -> list:
    con = sqlite3.connect(ruta)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- item 9: un cerrojo por archivo, llegue por la ruta que llegue ----------------------------


def _retener(ruta: str) -> subprocess.Popen:
    codigo = (
        "import sys, time\n"
        "from recordar.bitacora import Bitacora\n"
        "b = Bitacora.abrir_escritura(sys.argv[1])\n"
        "print('listo', flush=True)\n"
        "time.sleep(120)\n"
    )
    proceso = subprocess.Popen([sys.executable, "-c", codigo, ruta], stdout=subprocess.PIPE,
                               text=True, env=dict(os.environ))  # fmt: skip
    assert proceso.stdout.readline().strip() == "listo"
    return proceso


def test_dos_procesos_por_dos_rutas_a_la_misma_bitacora(tmp_path):
    (tmp_path / "sub").mkdir()
    ruta = tmp_path / "b.sqlite"
    with Bitacora.abrir_escritura(ruta):
        pass
    (tmp_path / "enlace.sqlite").symlink_to(ruta)
    os.link(ruta, tmp_path / "duro.sqlite")
    otras = [
        tmp_path / "enlace.sqlite",
        tmp_path / "duro.sqlite",
        tmp_path / "sub" / ".." / "b.sqlite",
    ]
    for primera in [str(tmp_path / "sub" / ".." / "b.sqlite"), str(tmp_path / "duro.sqlite")]:
        proceso = _retener(primera)
        try:
            for otra in otras + [ruta]:
                with pytest.raises(ErrorBitacora, match=r"otra ejecución de recordar \(PID"):
                    Bitacora.abrir_escritura(otra)
        finally:
            proceso.kill()
            proceso.wait(10)
    for otra in otras:
        with Bitacora.abrir_escritura(otra):
            pass  # libre de nuevo


def test_dos_ejecuciones_reales_por_un_enlace_simbolico_no_envian_dos_veces(carpeta, correr):
    assert _enviar(correr, "--bitacora", "real.sqlite").exit_code == 0
    (carpeta / "enlace.sqlite").symlink_to(carpeta / "real.sqlite")
    proceso = _retener(str(carpeta / "real.sqlite"))
    try:
        r = _enviar(correr, "--bitacora", "enlace.sqlite")
    finally:
        proceso.kill()
        proceso.wait(10)
    assert r.exit_code == 2, r.output
    assert "otra ejecución de recordar" in r.output


# --- item 10: un archivo vaciado o ajeno no es una bitácora nueva ------------------------------


@pytest.mark.parametrize(
    ("contenido", "motivo"),
    [
        (b"", "está vacía (0 bytes)"),
        (b"fecha,cliente\n2026-11-01,Ana\n", "no es una bitácora de recordar"),
        ("otra", "no es una bitácora de recordar"),
    ],
)
def test_bitacora_vaciada_o_ajena_es_error_y_no_reenvia(carpeta, correr, contenido, motivo):
    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    assert len(CanalMemoria.enviados) == 10
    bitacora = carpeta / "recordar-bitacora.sqlite"
    if contenido == "otra":
        bitacora.unlink()
        con = sqlite3.connect(bitacora)
        con.execute("CREATE TABLE clientes (nombre TEXT)")
        con.commit()
        con.close()
    else:
        bitacora.write_bytes(contenido)
    antes = bitacora.read_bytes()
    for extra in ((), ("--simulacro",)):
        r = _enviar(correr, *extra)
        assert r.exit_code == 2, r.output
        assert f"{bitacora}: " in r.output and motivo in r.output
        assert "error inesperado" not in r.output
    assert len(CanalMemoria.enviados) == 10  # nada se volvió a mandar
    assert bitacora.read_bytes() == antes  # ni se tocó
    r = correr("historial")
    assert r.exit_code == 2 and motivo in r.output


def test_al_cerrar_todo_queda_en_el_archivo_principal(carpeta, correr):
    """Borrar el -wal a mano tras una ejecución terminada no pierde nada (checkpoint TRUNCATE)."""
    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    bitacora = carpeta / "recordar-bitacora.sqlite"
    wal = Path(f"{bitacora}-wal")
    with contextlib.suppress(FileNotFoundError):
        assert wal.stat().st_size == 0
        wal.unlink()
    assert _consulta(bitacora, "SELECT estado, COUNT(*) FROM envios GROUP BY estado") == [
        ("enviado", 10)
    ]
    assert _enviar(correr).exit_code == 0
    assert len(CanalMemoria.enviados) == 10


def test_tras_preparar_el_lote_queda_en_el_archivo_principal(tmp_path):
    """Lo planificado se pasa al archivo principal antes de enviar: un -wal perdido tras un
    corte no hace que la siguiente ejecución vea una bitácora sin lo que ya se iba a enviar."""
    from tests.test_bitacora import _plan

    ruta = tmp_path / "b.sqlite"
    plan = _plan()
    b = Bitacora.abrir_escritura(ruta)
    try:
        b.preparar(plan.mensajes, HOY)
        copia = tmp_path / "copia.sqlite"
        copia.write_bytes(ruta.read_bytes())  # solo el archivo principal, sin su -wal
        assert _consulta(copia, "SELECT COUNT(*) FROM envios") == [(len(plan.mensajes),)]
    finally:
        b.cerrar()


# --- item 11: desaparecer de la hoja no prueba un pago -----------------------------------------


@pytest.mark.parametrize("formato", ["xlsx", "csv"])
def test_hoja_solo_con_cabecera_es_error_y_no_paga_nada(carpeta, correr, formato):
    assert _enviar(correr).exit_code == 0
    if formato == "xlsx":
        escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA])
        nombre = "cartera.xlsx"
    else:
        escribir_csv(carpeta / "vacia.csv", [CABECERA])
        nombre = "vacia.csv"
    for extra in ((), ("--simulacro",)):
        r = correr("enviar", nombre, "--hoy", (HOY + timedelta(days=1)).isoformat(), *extra)
        assert r.exit_code == 2, r.output
        assert "no tiene filas de datos" in r.output
    bitacora = carpeta / "recordar-bitacora.sqlite"
    assert _consulta(bitacora, "SELECT COUNT(*) FROM pagos") == [(0,)]
    assert _consulta(bitacora, "SELECT COUNT(*) FROM facturas_vistas") == [(10,)]


def test_muchas_facturas_desaparecidas_no_se_dan_por_pagadas_sin_confirmar(carpeta, correr):
    bitacora = carpeta / "recordar-bitacora.sqlite"
    assert _enviar(correr).exit_code == 0
    # Otra exportación: solo 3 de las 10 (7 desaparecen: más de 5 y más del 20 %).
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *_filas(range(3))])
    manana = HOY + timedelta(days=1)
    r = _enviar(correr, hoy=manana)
    assert r.exit_code == 0, r.output
    assert "7 de las 10 facturas" in r.output and "--confirmar-pagos" in r.output
    assert _consulta(bitacora, "SELECT COUNT(*) FROM pagos") == [(0,)]
    assert _consulta(bitacora, "SELECT COUNT(*) FROM facturas_vistas") == [(10,)]

    r = _enviar(correr, "--confirmar-pagos", hoy=manana)
    assert r.exit_code == 0, r.output
    assert _consulta(bitacora, "SELECT COUNT(*), SUM(por_desaparicion) FROM pagos") == [(7, 7)]
    r = correr("pagos")
    assert r.exit_code == 0, r.output
    assert f"{manana.isoformat()}: 7 facturas" in r.output and "F-9" in r.output

    r = correr("pagos", "--deshacer", manana.isoformat())
    assert r.exit_code == 0, r.output
    assert "Reabiertas: 7 facturas" in r.output
    assert _consulta(bitacora, "SELECT COUNT(*) FROM pagos") == [(0,)]
    assert _consulta(bitacora, "SELECT COUNT(*) FROM facturas_vistas") == [(10,)]
    assert correr("pagos", "--deshacer", manana.isoformat()).exit_code == 2


def test_pocas_desaparecidas_se_registran_como_pagos_por_desaparicion(carpeta, correr):
    bitacora = carpeta / "recordar-bitacora.sqlite"
    assert _enviar(correr).exit_code == 0
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *_filas(range(8))])  # 2 de 10
    r = _enviar(correr, hoy=HOY + timedelta(days=1))
    assert r.exit_code == 0, r.output
    assert "--confirmar-pagos" not in r.output
    assert _consulta(bitacora, "SELECT numero, por_desaparicion FROM pagos ORDER BY numero") == [
        ("F-8", 1),
        ("F-9", 1),
    ]


def test_bitacora_de_la_version_anterior_sigue_funcionando(carpeta, correr):
    bitacora = carpeta / "recordar-bitacora.sqlite"
    con = sqlite3.connect(bitacora, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for numero, guion in enumerate(MIGRACIONES[:2], start=1):
        con.executescript(f"BEGIN; {guion}; PRAGMA user_version = {numero}; COMMIT;")
    con.execute(
        "INSERT INTO pagos (numero, deudor, cliente, monto, vencimiento, fecha, dias_tarde) "
        "VALUES ('V-1', 'viejo', 'Viejo', '10', '2026-10-01', '2026-10-20', 19)"
    )
    con.close()
    r = _enviar(correr)
    assert r.exit_code == 0, r.output
    assert _consulta(bitacora, "PRAGMA user_version") == [(len(MIGRACIONES),)]
    assert _consulta(bitacora, "SELECT numero, por_desaparicion FROM pagos") == [("V-1", 0)]


# --- item 15: solo para su dueño ---------------------------------------------------------------


def test_bitacora_y_carpeta_solo_del_dueno_aunque_la_umask_sea_abierta(tmp_path, carpeta, correr):
    anterior = os.umask(0o000)
    try:
        datos = tmp_path / "datos" / "recordar"
        ruta = datos / "bitacora.sqlite"
        r = _enviar(correr, "--bitacora", ruta)
        assert r.exit_code == 0, r.output
        b = Bitacora.abrir_escritura(ruta)
        try:
            for archivo in (ruta, Path(f"{ruta}-wal"), Path(f"{ruta}-shm")):
                assert stat.S_IMODE(archivo.stat().st_mode) == 0o600, archivo
            assert stat.S_IMODE(Path(f"{ruta}.cerrojo").stat().st_mode) == 0o600
        finally:
            b.cerrar()
        for creada in (datos, datos.parent):
            assert stat.S_IMODE(creada.stat().st_mode) == 0o700, creada
    finally:
        os.umask(anterior)


def test_bitacora_vieja_legible_por_todos_queda_solo_del_dueno(tmp_path):
    ruta = tmp_path / "b.sqlite"
    with Bitacora.abrir_escritura(ruta):
        pass
    os.chmod(ruta, 0o644)
    with Bitacora.abrir_escritura(ruta):
        assert stat.S_IMODE(ruta.stat().st_mode) == 0o600


# --- item 19: errores del archivo en español, con código 2 -------------------------------------


@contextlib.contextmanager
def _tmpfs(carpeta: Path):
    assert os.geteuid() == 0, "esta prueba monta un tmpfs: hay que ejecutarla como root"
    carpeta.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(carpeta)], check=True)
    try:
        yield carpeta
    finally:
        subprocess.run(["umount", "-l", str(carpeta)], check=True)


def test_bitacora_en_un_disco_de_solo_lectura(carpeta, correr, tmp_path):
    with _tmpfs(tmp_path / "disco") as disco:
        ruta = disco / "bitacora.sqlite"
        assert _enviar(correr, "--bitacora", ruta).exit_code == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disco)], check=True)
        escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *_filas(range(20, 23))])
        CanalMemoria.reiniciar()
        r = _enviar(correr, "--bitacora", ruta)
        assert r.exit_code == 2, r.output
        assert f"{ruta}: la bitácora no se puede escribir" in r.output
        assert "error inesperado" not in r.output
        assert CanalMemoria.enviados == []
        # Leer sí se puede: el historial y un simulacro.
        r = correr("historial", "--bitacora", ruta)
        assert r.exit_code == 0 and "Historial (10)" in r.output, r.output
        r = _enviar(correr, "--bitacora", ruta, "--simulacro")
        assert r.exit_code == 0 and "3 mensajes" in r.output, r.output
        r = _enviar(correr, "--bitacora", disco / "nueva" / "bitacora.sqlite")
        assert r.exit_code == 2, r.output
        assert "no se pudo crear la carpeta de la bitácora" in r.output
        assert "el disco es de solo lectura" in r.output


def test_bitacora_con_paginas_danadas(carpeta, correr):
    ruta = carpeta / "recordar-bitacora.sqlite"
    escribir_xlsx(carpeta / "cartera.xlsx", [CABECERA, *_filas(range(300))])
    assert _enviar(correr).exit_code == 0
    tamano = ruta.stat().st_size
    assert tamano > 8 * 4096
    with open(ruta, "r+b") as archivo:  # páginas del medio con basura, la cabecera intacta
        for pagina in range(2, tamano // 4096):
            archivo.seek(pagina * 4096)
            archivo.write(b"\xa5" * 4096)
    for orden in (("enviar", "cartera.xlsx", "--hoy", HOY.isoformat()), ("historial",),
                  ("enviar", "cartera.xlsx", "--hoy", HOY.isoformat(), "--simulacro")):  # fmt: skip
        r = correr(*orden)
        assert r.exit_code == 2, (orden, r.output)
        assert f"{ruta}: la bitácora está dañada" in r.output, r.output
        assert "copia de seguridad" in r.output
        assert "error inesperado" not in r.output


# --- item 10: un -wal borrado tras un corte no pierde anotaciones en silencio ------------------


def _morir_a_mitad(ruta: Path, reclamados: int) -> None:
    """Otro proceso prepara el plan, reclama y anota `reclamados` envíos y muere con SIGKILL."""
    codigo = (
        "import os, signal, sys\n"
        "from recordar.bitacora import Bitacora\n"
        "from tests.test_bitacora import HOY, _plan\n"
        "plan = _plan()\n"
        "b = Bitacora.abrir_escritura(sys.argv[1])\n"
        "b.preparar(plan.mensajes, HOY)\n"
        f"for m in plan.mensajes[:{reclamados}]:\n"
        "    b.reclamar(m.clave, HOY)\n"
        "    b.registrar(m.clave, 'enviado', proveedor_id='id')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proceso = subprocess.run(
        [sys.executable, "-c", codigo, str(ruta)], cwd=Path(__file__).parents[1]
    )
    assert proceso.returncode == -9


def test_wal_borrado_tras_un_corte_se_rechaza(tmp_path):
    ruta = tmp_path / "b.sqlite"
    _morir_a_mitad(ruta, 2)
    wal = Path(f"{ruta}-wal")
    assert wal.stat().st_size > 0
    wal.unlink()
    for _ in range(2):  # el rechazo no borra la pista: la segunda vez también
        with pytest.raises(ErrorBitacora, match=r"le faltan anotaciones .*b\.sqlite-wal"):
            Bitacora.abrir_escritura(ruta)
    # Si de verdad se quiere seguir con lo que hay, basta borrar la señal que dice el mensaje.
    Path(f"{ruta}.cerrojo").unlink()
    with Bitacora.abrir_escritura(ruta) as b:
        assert b.consultar(estados=("enviado",)) == []


def test_otro_programa_que_pasa_el_wal_al_archivo_no_es_una_perdida(tmp_path):
    ruta = tmp_path / "b.sqlite"
    _morir_a_mitad(ruta, 2)
    con = sqlite3.connect(ruta)  # p. ej. un visor de SQLite: al cerrar vuelca y borra el -wal
    assert con.execute("SELECT COUNT(*) FROM envios WHERE estado = 'enviado'").fetchone() == (2,)
    con.close()
    assert not Path(f"{ruta}-wal").exists()
    with Bitacora.abrir_escritura(ruta) as b:
        assert len(b.consultar(estados=("enviado",))) == 2
        assert b.marcar_inciertos() == 0


def test_leer_mientras_se_escribe_en_el_mismo_proceso_no_suelta_los_cerrojos(tmp_path):
    """Abrir y cerrar otro descriptor del archivo soltaría los cerrojos POSIX de SQLite: otro
    programa que cerrara la base se creería el último y borraría el -wal que se está usando."""
    from tests.test_bitacora import _plan

    ruta = tmp_path / "b.sqlite"
    plan = _plan()
    cerrar_otro = (
        "import sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1])\n"
        "con.execute('SELECT COUNT(*) FROM envios').fetchone()\n"
        "con.close()\n"
    )
    with Bitacora.abrir_escritura(ruta) as b:
        b.preparar(plan.mensajes, HOY)
        with Bitacora.abrir_lectura(ruta) as lectura:  # p. ej. una vista previa desde la biblioteca
            lectura.historial()
        with pytest.raises(ErrorBitacora, match="este mismo proceso"):
            Bitacora.abrir_escritura(ruta)
        b.reclamar(plan.mensajes[0].clave, HOY)
        subprocess.run([sys.executable, "-c", cerrar_otro, str(ruta)], check=True)
        assert Path(f"{ruta}-wal").exists()  # sigue siendo el -wal de esta bitácora
        b.registrar(plan.mensajes[0].clave, "enviado", proveedor_id="id-1")
    assert _consulta(ruta, "SELECT estado FROM envios WHERE proveedor_id = 'id-1'") == [
        ("enviado",)
    ]
