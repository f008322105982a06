# Anneal: the Discord bot, with CPU-only torch for `!run`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ANNEAL_DATABASE=/data/anneal.db \
    ANNEAL_CONTENT_DIR=/app/content \
    MPLBACKEND=Agg

WORKDIR /app

# bubblewrap gives !run workers no network and a read-only filesystem where the
# container allows user namespaces; otherwise the pool falls back to rlimits (logged).
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*

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
