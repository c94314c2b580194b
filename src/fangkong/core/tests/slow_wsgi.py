"""A tiny WSGI app for test_gunicorn_serve: /hang never ends in time, /pid
says which worker answered."""

import os
import time


def application(environ, start_response):
    if environ["PATH_INFO"] == "/hang":
        time.sleep(3600)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
