"""A stand-in for the few ``kytos.core`` names the NApp imports (Kytos-ng is not on PyPI).

Signatures and behaviour follow Kytos-ng's own (kytos/core/events.py, helpers.py, napps/base.py,
rest_api.py); only what the NApp touches is here. Test code only: the NApp never imports it
except as ``kytos.core``, exactly as under a real controller.
"""
