"""recordar: recordatorios de cobranza escalonados a partir de la cartera en Excel."""

__version__ = "0.1.0"
