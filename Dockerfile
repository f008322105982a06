# Anneal: the Discord bot, with CPU-only torch for `!run`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ANNEAL_DATABASE=/data/anneal.db \
    ANNEAL_CONTENT_DIR=/app/content \
    MPLBACKEND=Agg

WORKDIR /app

# The same pinned version as pyproject.toml, from the CPU index: the default index would
# bring a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip install .

RUN useradd --create-home --uid 10001 anneal \
    && mkdir -p /data && chown anneal:anneal /data
USER anneal
VOLUME ["/data"]

CMD ["anneal", "bot"]
