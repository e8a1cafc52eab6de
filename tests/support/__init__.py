"""What tests share: served processes on free ports, ASGI clients, proxies that cut or hang, Redis."""
