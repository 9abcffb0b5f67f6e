"""Upcoming appointments by what the clients answered: por confirmar, confirmadas, cancelación pedida."""
