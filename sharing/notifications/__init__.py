"""Telling people what happened: the inbox, e-mail, following and the dashboard's activity."""
