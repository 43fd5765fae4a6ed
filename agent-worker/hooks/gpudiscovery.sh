#!/usr/bin/env bash
# gpudiscovery.sh: print the GPUs of this host as JSON (the shape of CloudStack 4.21's gpudiscovery.sh).
#
# Reads sysfs under a root directory (--root DIR, else $GPU_SYSFS_ROOT, else /), so it runs against a
# sysfs-shaped test tree made of plain directories, files and symlinks as well as against the real /sys.
# Uses bash and coreutils only (readlink); lspci is used for vendor/device names when present and the
# root is /.
set -euo pipefail
shopt -s nullglob
export LC_ALL=C

usage() {
  cat <<'USAGE'
Usage: gpudiscovery.sh [--root DIR] [--help]

Prints {"gpus": [...]} for every PCI device of class VGA (0300), 3D (0302), display (0380)
or processing accelerator (1200) found under DIR/sys/bus/pci/devices, with its mdev vGPU
instances and SR-IOV virtual functions.

  --root DIR   sysfs root (default: $GPU_SYSFS_ROOT, else /)
  --help       show this help
USAGE
}

ROOT="${GPU_SYSFS_ROOT:-/}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --root)
      [[ $# -ge 2 ]] || { echo "gpudiscovery.sh: --root needs a directory" >&2; exit 2; }
      ROOT="$2"
      shift 2
      ;;
    --root=*)
      ROOT="${1#--root=}"
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      echo "gpudiscovery.sh: unknown option: $1 (see --help)" >&2
      exit 2
      ;;
    *)
      # A method name such as the agent may pass ("discover"): nothing to choose, ignore it.
      shift
      ;;
  esac
done

# Strip trailing slashes; "/" becomes "", so "$ROOT/sys" is "/sys".
while [[ "$ROOT" == */ ]]; do ROOT="${ROOT%/}"; done
DEVICES_DIR="$ROOT/sys/bus/pci/devices"
if [[ ! -d "$DEVICES_DIR" ]]; then
  echo "gpudiscovery.sh: no PCI devices directory at $DEVICES_DIR" >&2
  exit 1
fi
SYS_DEVICES_REAL="$(readlink -f -- "$ROOT/sys/devices" 2>/dev/null || true)"

USE_LSPCI=0
if [[ -z "$ROOT" ]] && command -v lspci >/dev/null 2>&1; then
  USE_LSPCI=1
fi

PCI_RE='^[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$'

# ---- helpers ---------------------------------------------------------------------------------------

# json_str VALUE: VALUE as a JSON string literal.
json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  s="${s//[[:cntrl:]]/}"
  printf '"%s"' "$s"
}

# json_str_or_null VALUE: null when VALUE is empty.
json_str_or_null() {
  if [[ -z "$1" ]]; then printf 'null'; else json_str "$1"; fi
}

# read_first FILE: first line of FILE without surrounding blanks, "" when unreadable.
read_first() {
  local v=""
  if [[ -f "$1" && -r "$1" ]]; then
    IFS= read -r v 2>/dev/null <"$1" || true
  fi
  v="${v#"${v%%[![:space:]]*}"}"
  v="${v%"${v##*[![:space:]]}"}"
  printf '%s' "$v"
}

# read_int FILE DEFAULT: the integer in FILE, else DEFAULT.
read_int() {
  local v
  v="$(read_first "$1")"
  if [[ "$v" =~ ^-[0-9]{1,9}$ ]]; then
    printf '%s' "$((-10#${v#-}))"
  elif [[ "$v" =~ ^[0-9]{1,9}$ ]]; then
    printf '%s' "$((10#$v))"
  else
    printf '%s' "$2"
  fi
}

# hex_id FILE: "0x10de" -> "10de" (lower case), "" when missing.
hex_id() {
  local v
  v="$(read_first "$1")"
  v="${v#0x}"
  v="${v#0X}"
  printf '%s' "${v,,}"
}

# link_name LINK: basename of a symlink's target, "" when LINK is not a symlink.
link_name() {
  local t
  if [[ -L "$1" ]]; then
    t="$(readlink -- "$1" 2>/dev/null || true)"
    t="${t%/}"
    printf '%s' "${t##*/}"
  fi
}

# libvirt_address ADDR: {"domain": "0x0000", "bus": "0x01", "slot": "0x00", "function": "0x0"}
libvirt_address() {
  local addr="${1,,}" dom bus slot fn
  if [[ ! "$addr" =~ ^[0-9a-f]{4,8}: ]]; then addr="0000:$addr"; fi
  dom="${addr%%:*}"
  bus="${addr#*:}"
  bus="${bus%%:*}"
  slot="${addr##*:}"
  slot="${slot%%.*}"
  fn="${addr##*.}"
  printf '{"domain": "0x%s", "bus": "0x%s", "slot": "0x%s", "function": "0x%s"}' "$dom" "$bus" "$slot" "$fn"
}

# class_name CODE4: human name of a PCI class/subclass we report.
class_name() {
  case "$1" in
    0300) printf 'VGA compatible controller' ;;
    0302) printf '3D controller' ;;
    0380) printf 'Display controller' ;;
    1200) printf 'Processing accelerators' ;;
    *) printf 'PCI class' ;;
  esac
}

# pci_root DEVDIR ADDR: the top PCI device above DEVDIR (the first PCI address in its real path below
# sys/devices), or ADDR itself when it sits on a root bus.
pci_root() {
  local real rest comp
  local -a comps
  real="$(readlink -f -- "$1" 2>/dev/null || true)"
  rest="$real"
  if [[ -n "$SYS_DEVICES_REAL" && "$real" == "$SYS_DEVICES_REAL"/* ]]; then
    rest="${real#"$SYS_DEVICES_REAL"/}"
  fi
  IFS='/' read -r -a comps <<<"$rest"
  for comp in "${comps[@]}"; do
    if [[ "$comp" =~ $PCI_RE ]]; then
      printf '%s' "${comp,,}"
      return
    fi
  done
  printf '%s' "$2"
}

# lspci_field ADDR FIELD: a field ("Vendor", "Device") of `lspci -vmm -s ADDR`, "" when unknown.
lspci_field() {
  local line
  [[ "$USE_LSPCI" == 1 ]] || return 0
  while IFS= read -r line; do
    if [[ "$line" == "$2:"$'\t'* ]]; then
      line="${line#"$2:"$'\t'}"
      # very old pciutils print the slot as "Device:" first: skip a value that is an address
      [[ "$line" =~ ^([0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]] && continue
      printf '%s' "$line"
      return 0
    fi
  done < <(lspci -vmm -s "$1" 2>/dev/null || true)
  return 0
}

# mdev_description_value DESCRIPTION KEY: value of "key=value" in an NVIDIA type description
# ("num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=4096x2160, max_instance=8").
mdev_description_value() {
  local item
  local -a items
  IFS=',' read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    item="${item#"${item%%[![:space:]]*}"}"
    if [[ "$item" == "$2="* ]]; then
      printf '%s' "${item#"$2="}"
      return
    fi
  done
}

# ---- per GPU ---------------------------------------------------------------------------------------

print_vgpus() {
  local dev="$1" first=1 type tname avail count entry uuid desc fb heads res maxinst
  local -a entries
  for type in "$dev"/mdev_supported_types/*/; do
    type="${type%/}"
    tname="$(read_first "$type/name")"
    [[ -n "$tname" ]] || tname="${type##*/}"
    entries=("$type"/devices/*)
    count=${#entries[@]}
    avail="$(read_int "$type/available_instances" 0)"
    maxinst=$((avail + count))
    desc="$(read_first "$type/description")"
    fb="$(mdev_description_value "$desc" framebuffer)"
    heads="$(mdev_description_value "$desc" num_heads)"
    res="$(mdev_description_value "$desc" max_resolution)"
    for entry in "${entries[@]}"; do
      uuid="${entry##*/}"
      [[ $first == 1 ]] || printf ','
      first=0
      printf '\n        {"mdev_uuid": %s, "profile_name": %s, "max_instances": %s' \
        "$(json_str "$uuid")" "$(json_str "$tname")" "$maxinst"
      if [[ "$fb" =~ ^([0-9]+)M$ ]]; then printf ', "video_ram": %s' "${BASH_REMATCH[1]}"; fi
      if [[ "$heads" =~ ^[0-9]+$ ]]; then printf ', "max_heads": %s' "$heads"; fi
      if [[ "$res" =~ ^([0-9]+)x([0-9]+)$ ]]; then
        printf ', "max_resolution_x": %s, "max_resolution_y": %s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
      fi
      printf ', "used_by_vm": null}'
    done
  done
  [[ $first == 1 ]] || printf '\n      '
  return 0
}

print_vfs() {
  local dev="$1" first=1 link n vfaddr vfdir profile i
  local -a vfs=()
  for link in "$dev"/virtfn*; do
    n="${link##*/virtfn}"
    [[ "$n" =~ ^[0-9]+$ ]] || continue
    vfs[10#$n]="$link"
  done
  for i in "${!vfs[@]}"; do
    link="${vfs[$i]}"
    vfaddr="$(link_name "$link")"
    [[ "$vfaddr" =~ $PCI_RE ]] || continue
    vfdir="$(readlink -f -- "$link" 2>/dev/null || true)"
    profile=""
    if [[ -n "$vfdir" ]]; then profile="$(hex_id "$vfdir/device")"; fi
    [[ -n "$profile" ]] || profile="vf"
    [[ $first == 1 ]] || printf ','
    first=0
    printf '\n        {"vf_pci_address": %s, "vf_profile": %s, "libvirt_address": %s, "used_by_vm": null}' \
      "$(json_str "${vfaddr,,}")" "$(json_str "$profile")" "$(libvirt_address "$vfaddr")"
  done
  [[ $first == 1 ]] || printf '\n      '
  return 0
}

print_gpu() {
  local dev="$1" addr="$2" class4="$3"
  local vendor_id device_id vendor device driver group root numa total num vgpus vfs enabled
  vendor_id="$(hex_id "$dev/vendor")"
  device_id="$(hex_id "$dev/device")"
  vendor="$(lspci_field "$addr" Vendor)"
  device="$(lspci_field "$addr" Device)"
  [[ -n "$vendor" ]] || vendor="$vendor_id"
  [[ -n "$device" ]] || device="$device_id"
  driver="$(link_name "$dev/driver")"
  group="$(link_name "$dev/iommu_group")"
  root="$(pci_root "$dev" "$addr")"
  numa="$(read_int "$dev/numa_node" -1)"
  total="$(read_int "$dev/sriov_totalvfs" 0)"
  num="$(read_int "$dev/sriov_numvfs" 0)"
  vgpus="$(print_vgpus "$dev")"
  vfs="$(print_vfs "$dev")"
  enabled=1
  if [[ -n "$vgpus" || -n "$vfs" ]]; then enabled=0; fi

  printf '\n    {\n'
  printf '      "pci_address": %s,\n' "$(json_str "$addr")"
  printf '      "vendor_id": %s,\n' "$(json_str "$vendor_id")"
  printf '      "device_id": %s,\n' "$(json_str "$device_id")"
  printf '      "vendor": %s,\n' "$(json_str_or_null "$vendor")"
  printf '      "device": %s,\n' "$(json_str_or_null "$device")"
  printf '      "driver": %s,\n' "$(json_str_or_null "$driver")"
  printf '      "pci_class": %s,\n' "$(json_str "$(class_name "$class4") [$class4]")"
  printf '      "iommu_group": %s,\n' "$(json_str_or_null "$group")"
  printf '      "pci_root": %s,\n' "$(json_str "$root")"
  printf '      "numa_node": %s,\n' "$numa"
  printf '      "sriov_totalvfs": %s,\n' "$total"
  printf '      "sriov_numvfs": %s,\n' "$num"
  printf '      "full_passthrough": {"enabled": %s, "libvirt_address": %s, "used_by_vm": null},\n' \
    "$enabled" "$(libvirt_address "$addr")"
  printf '      "vgpu_instances": [%s],\n' "$vgpus"
  printf '      "vf_instances": [%s]\n' "$vfs"
  printf '    }'
}

# ---- main ------------------------------------------------------------------------------------------

out='{"gpus": ['
first=1
for dev in "$DEVICES_DIR"/*; do
  addr="${dev##*/}"
  [[ "$addr" =~ $PCI_RE ]] || continue
  addr="${addr,,}"
  # SR-IOV virtual functions are listed under their physical function, not on their own.
  if [[ -e "$dev/physfn" || -L "$dev/physfn" ]]; then continue; fi
  class="$(read_first "$dev/class")"
  class="${class,,}"
  class="${class#0x}"
  class4="${class:0:4}"
  case "$class4" in
    0300 | 0302 | 0380 | 1200) ;;
    *) continue ;;
  esac
  [[ $first == 1 ]] || out+=','
  first=0
  out+="$(print_gpu "$dev" "$addr" "$class4")"
done
if [[ $first == 0 ]]; then out+=$'\n  '; fi
out+=']}'
printf '%s\n' "$out"
