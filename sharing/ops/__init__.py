"""Operations: backups, restores and checks of the stored files (``manage.py`` commands)."""
