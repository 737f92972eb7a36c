import errno

import pytest

from recordar.errores import causa


@pytest.mark.parametrize(
    ("numero", "texto"),
    [
        (errno.ENOSPC, "el disco está lleno"),
        (errno.EACCES, "sin permiso de escritura"),
        (errno.EROFS, "el disco es de solo lectura"),
        (errno.EEXIST, "ya existe un archivo con ese nombre"),
    ],
)
def test_causa_comun_en_espanol(numero, texto):
    assert causa(OSError(numero, "texto del sistema en inglés")) == texto


def test_causa_rara_queda_la_del_sistema():
    assert causa(OSError(errno.EXDEV, "Invalid cross-device link")) == "Invalid cross-device link"
    assert causa(OSError("sin número")) == "sin número"
