# The study-group bot: a slim image with the index built in, running as a non-root user.
#   docker build -t studybot .
#   docker run -d --env-file .env -v studybot-data:/data studybot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    CORPUS_DIR=/app/corpus INDEX_DIR=/app/.cache/index DATABASE_PATH=/data/studybot.db

WORKDIR /app
# torch from the CPU wheel index: PyPI's default Linux wheel is a multi-GB CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY index ./index
COPY quiz ./quiz
RUN pip install .
COPY corpus ./corpus

# The index (and its quiz items) is built now, so a container starts in about a second.
RUN python -m index build --corpus "$CORPUS_DIR" --cache "$INDEX_DIR" \
    && python -m bot quiz --json --count 1 > /dev/null

RUN useradd --create-home --uid 10001 studybot \
    && mkdir -p /data && chown studybot /data \
    && chmod -R a+rX /app
USER studybot
VOLUME ["/data"]

# Healthy while the bot is connected: it refreshes a heartbeat file next to the database.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot"]
