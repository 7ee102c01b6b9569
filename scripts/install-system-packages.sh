#!/usr/bin/env bash
# Debian packages Minka needs: WeasyPrint's libraries (libharfbuzz-subset0 makes
# PDFs twice as fast), fonts, poppler for reading PDFs back, Chromium for browser tests, LibreOffice Calc
# (headless) for the test that saves the exported register the way cooperatives do, Redis for the
# background tasks on RQ (MINKA_TASKS=rq; CI tests them against it).
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8
          fonts-dejavu-core fonts-liberation2 poppler-utils chromium postgresql-client
          libreoffice-calc-nogui redis-server)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
