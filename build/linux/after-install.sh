#!/bin/sh
# Installs the udev rule that gives the till's user access to the card terminal (hidraw), then
# reloads udev so that a terminal already plugged in works without a reboot.
set -e
RULE=/opt/Countersign/resources/udev/60-countersign-terminal.rules
if [ -f "$RULE" ]; then
  install -m 0644 "$RULE" /etc/udev/rules.d/60-countersign-terminal.rules
  if command -v udevadm >/dev/null 2>&1; then
    udevadm control --reload-rules || true
    udevadm trigger --subsystem-match=hidraw || true
  fi
fi
