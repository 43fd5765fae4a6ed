#!/usr/bin/env bash
# Seeds the reference talk's demo catalogue into a running stack, through its API, when the catalogue
# is empty: a template; the offerings "Small Instance", "Medium Instance" and "Sim 2xGPU Offering"
# (16 cores, 2000 MHz, 40960 MB, 2 x "ACS Simulated Graphics Card Pro" sim-8q, whose card and profile
# discovery creates, so run this once the hosts' first discovery has finished). And, whenever it is
# missing, a tenant: account "demo" in ROOT with the User "demo" and an API key, kept in
# $DATA/tenant-api-key (mode 600) and printed on stdout as TENANT_API_KEY=... for stack.env.
#   scripts/seed-demo.sh API_URL ADMIN_KEY DATA_DIR
# An interrupted seeding is finished by the next run ($DATA/.seeding marks one under way); each item is
# created only when no item of that name exists, so a catalogue an operator changed is left alone.
set -euo pipefail
umask 077 # what it writes under the data dir (the tenant's key, the seeding mark) is the owner's alone
API=$1
ADMIN_KEY=$2
DATA=$3

api() { # method path [json body] [key]: the body on stdout; a non-2xx answer fails with its message
  local out code
  out=$(curl -sS -X "$1" -H "Authorization: Bearer ${4:-$ADMIN_KEY}" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} -w '\n%{http_code}' "$API$2")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $code != 2* ]]; then
    echo "seed-demo: $1 $2 answered $code: $out" >&2
    return 1
  fi
  printf '%s' "$out"
}

count() { api GET "$1" | jq 'length'; }
urlname() { jq -rn --arg v "$1" '$v|@uri'; }

if [ "$(count /offerings)" = 0 ] && [ "$(count /templates)" = 0 ]; then
  touch "$DATA/.seeding"
fi
if [ -e "$DATA/.seeding" ]; then
  if [ "$(count "/templates?name=$(urlname ubuntu-24.04)")" = 0 ]; then
    api POST /templates '{"name": "ubuntu-24.04", "osType": "Ubuntu 24.04", "rootDiskGb": 10,
      "imagePath": "/var/lib/images/ubuntu-24.04.qcow2"}' >/dev/null
  fi
  offering() { # name, JSON body
    if [ "$(count "/offerings?name=$(urlname "$1")")" = 0 ]; then
      api POST /offerings "$2" >/dev/null
      echo "seed-demo: offering \"$1\"" >&2
    fi
  }
  offering "Small Instance" '{"name": "Small Instance", "cpuCores": 1, "cpuSpeedMhz": 500, "memoryMb": 512}'
  offering "Medium Instance" '{"name": "Medium Instance", "cpuCores": 1, "cpuSpeedMhz": 1000, "memoryMb": 1024}'
  CARD=$(api GET "/gpu-cards" | jq -r '[.[] | select(.name == "ACS Simulated Graphics Card Pro")][0].id // empty')
  PROFILE=""
  [ -n "$CARD" ] && PROFILE=$(api GET "/vgpu-profiles?cardId=$CARD&name=sim-8q" | jq -r '.[0].id // empty')
  if [ -n "$PROFILE" ]; then
    offering "Sim 2xGPU Offering" "{\"name\": \"Sim 2xGPU Offering\", \"cpuCores\": 16, \"cpuSpeedMhz\": 2000,
      \"memoryMb\": 40960, \"vgpuProfileId\": \"$PROFILE\", \"gpuCount\": 2}"
    rm -f "$DATA/.seeding"
  else
    echo "seed-demo: no \"ACS Simulated Graphics Card Pro\" sim-8q profile (has discovery run?);" \
      "\"Sim 2xGPU Offering\" is left for the next run" >&2
  fi
fi

# the tenant: reuse its key while it works
KEY_FILE=$DATA/tenant-api-key
if [ -s "$KEY_FILE" ] && api GET /instances "" "$(cat "$KEY_FILE")" >/dev/null 2>&1; then
  echo "TENANT_API_KEY=$(cat "$KEY_FILE")"
  exit 0
fi
ROOT_DOMAIN=00000000-0000-0000-0000-000000000001 # AdminBootstrap.ROOT_DOMAIN_ID, the admin's own domain
ACCOUNT=$(api GET "/accounts?domainId=$ROOT_DOMAIN&name=demo" | jq -r '.[0].id // empty')
[ -n "$ACCOUNT" ] || ACCOUNT=$(api POST /accounts '{"name": "demo"}' | jq -r .id)
# user names are unique per account only: the demo account's "demo"
USER_ID=$(api GET /users | jq -r --arg a "$ACCOUNT" '[.[] | select(.name == "demo" and .accountId == $a)][0].id // empty')
[ -n "$USER_ID" ] || USER_ID=$(api POST /users "{\"name\": \"demo\", \"role\": \"User\", \"accountId\": \"$ACCOUNT\"}" \
  | jq -r .id)
KEY=$(api POST "/users/$USER_ID/keys" | jq -r .key)
printf '%s\n' "$KEY" >"$KEY_FILE.tmp" && mv "$KEY_FILE.tmp" "$KEY_FILE"
echo "seed-demo: tenant account \"demo\", user \"demo\" (role User); key in $KEY_FILE" >&2
echo "TENANT_API_KEY=$KEY"
