"""The latent explorer: a local web page over a trained run to sample, encode, interpolate, walk and do arithmetic.

Needs the `explore` extra (FastAPI, uvicorn); start it with `latentgan explore RUN_DIR`.
"""
