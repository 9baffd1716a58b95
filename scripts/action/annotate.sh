#!/usr/bin/env bash
# Turns trustpub's one-line input errors (exit 2) into GitHub annotations on the file and line:
#   error: expected-publishers.toml:4:1: invalid TOML: ...  ->  ::error file=...,line=4,col=1,title=trustpub::...
# Reads the errors on standard input; prints the annotations.
set -euo pipefail
escape() { local s=$1; s=${s//'%'/'%25'}; s=${s//$'\r'/'%0D'}; s=${s//$'\n'/'%0A'}; printf '%s' "$s"; }
prop() { local s; s=$(escape "$1"); s=${s//':'/'%3A'}; s=${s//','/'%2C'}; printf '%s' "$s"; }
while IFS= read -r line; do
  rest=${line#error: }
  [ "$rest" != "$line" ] || continue
  if [[ $rest =~ ^([^:]+):([0-9]+):([0-9]+):\ (.*)$ ]]; then
    echo "::error file=$(prop "${BASH_REMATCH[1]}"),line=${BASH_REMATCH[2]},col=${BASH_REMATCH[3]},title=trustpub::$(escape "${BASH_REMATCH[4]}")"
  elif [[ $rest =~ ^([^:[:space:]]+):\ (.*)$ ]]; then
    echo "::error file=$(prop "${BASH_REMATCH[1]}"),title=trustpub::$(escape "${BASH_REMATCH[2]}")"
  else
    echo "::error title=trustpub::$(escape "$rest")"
  fi
done
