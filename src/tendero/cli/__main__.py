from tendero.cli import app

app()
