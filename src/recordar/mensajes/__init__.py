"""Los mensajes del plan: plantillas Jinja2 (plantillas, entorno, formato, texto_sms,
errores_plantilla, redaccion), su precompilación (precompilacion), su revisión con datos de
ejemplo (revision_plantillas) y el renderizado en paralelo (renderizado).

No se llama `plantillas` porque `recordar/plantillas` es la carpeta de plantillas que viene con el
paquete (ver `carpeta_integrada`).
"""
