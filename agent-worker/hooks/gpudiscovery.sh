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
Usage: gpudiscovery.sh [--root DIR] [--include LIST] [--help]

Prints {"gpus": [...]} for every PCI device of class VGA (0300), 3D (0302), display (0380)
or processing accelerator (1200) found under DIR/sys/bus/pci/devices, with its mdev vGPU
instances (on the device itself, or on its SR-IOV virtual functions as NVIDIA vGPU on
SR-IOV has them) and its SR-IOV virtual functions.

The host's own console display is skipped: the boot display (boot_vga = 1), a device bound to
a console driver (ast, mgag200, hibmc-drm, cirrus, bochs) and known BMC display ids (ASPEED
1a03:2000, Matrox G200 server variants 102b:0522/0524/0530/0532/0533/0534/0536/0538, Huawei
19e5:1711). A skipped device is named on stderr.

  --root DIR      sysfs root (default: $GPU_SYSFS_ROOT, else /)
  --include LIST  report these devices even if they look like the host console: PCI addresses
                  and vendor:device ids, separated by commas or blanks (default:
                  $GPU_DISCOVERY_INCLUDE); the agent passes its --discovery-include here
  --help          show this help
USAGE
}

ROOT="${GPU_SYSFS_ROOT:-/}"
INCLUDE="${GPU_DISCOVERY_INCLUDE:-}"
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
    --include)
      [[ $# -ge 2 ]] || { echo "gpudiscovery.sh: --include needs a list" >&2; exit 2; }
      INCLUDE="$INCLUDE,$2"
      shift 2
      ;;
    --include=*)
      INCLUDE="$INCLUDE,${1#--include=}"
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
SHORT_PCI_RE='^[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$'
ID_RE='^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$'

# Host console displays: drivers and vendor:device ids (see --help).
CONSOLE_DRIVERS=" ast mgag200 hibmc-drm cirrus cirrus-qemu bochs bochs-drm "
BMC_IDS=" 1a03:2000 102b:0522 102b:0524 102b:0530 102b:0532 102b:0533 102b:0534 102b:0536 102b:0538 19e5:1711 "

# The opt-in list, normalised to " 0000:03:00.0 1a03:2000 ".
INCLUDED=" "
IFS=', ' read -r -a include_items <<<"${INCLUDE//$'\n'/ }"
for item in "${include_items[@]}"; do
  [[ -n "$item" ]] || continue
  item="${item,,}"
  if [[ "$item" =~ $ID_RE || "$item" =~ $PCI_RE ]]; then
    INCLUDED+="$item "
  elif [[ "$item" =~ $SHORT_PCI_RE ]]; then
    INCLUDED+="0000:$item "
  else
    echo "gpudiscovery.sh: --include: '$item' is neither a PCI address (0000:03:00.0) nor a vendor:device id (1a03:2000)" >&2
    exit 2
  fi
done

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

# jstr VAR VALUE: sets VAR to VALUE as a JSON string literal, without a subshell.
jstr() {
  local s="$2"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  s="${s//[[:cntrl:]]/}"
  printf -v "$1" '"%s"' "$s"
}

# jstr_or_null VAR VALUE: null when VALUE is empty.
jstr_or_null() {
  if [[ -z "$2" ]]; then printf -v "$1" 'null'; else jstr "$1" "$2"; fi
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

# Per GPU cache of mdev type facts, keyed by type directory name: "name|video_ram|heads|res_x|res_y|max".
declare -A TYPE_CACHE

# type_facts TYPEDIR: sets T_NAME, T_FB, T_HEADS, T_RX, T_RY, T_MAX (may be empty) from the cache or the files.
type_facts() {
  local type="$1" key="${1##*/}" desc fb heads res max
  if [[ -z "${TYPE_CACHE[$key]+x}" ]]; then
    T_NAME="$(read_first "$type/name")"
    [[ -n "$T_NAME" ]] || T_NAME="$key"
    desc="$(read_first "$type/description")"
    fb="$(mdev_description_value "$desc" framebuffer)"
    heads="$(mdev_description_value "$desc" num_heads)"
    res="$(mdev_description_value "$desc" max_resolution)"
    max="$(mdev_description_value "$desc" max_instance)"
    T_FB="" T_HEADS="" T_RX="" T_RY="" T_MAX=""
    if [[ "$fb" =~ ^([0-9]+)M$ ]]; then T_FB="${BASH_REMATCH[1]}"; fi
    if [[ "$heads" =~ ^[0-9]+$ ]]; then T_HEADS="$heads"; fi
    if [[ "$res" =~ ^([0-9]+)x([0-9]+)$ ]]; then T_RX="${BASH_REMATCH[1]}"; T_RY="${BASH_REMATCH[2]}"; fi
    if [[ "$max" =~ ^[0-9]+$ ]]; then T_MAX="$max"; fi
    TYPE_CACHE[$key]="$T_NAME|$T_FB|$T_HEADS|$T_RX|$T_RY|$T_MAX"
  else
    IFS='|' read -r T_NAME T_FB T_HEADS T_RX T_RY T_MAX <<<"${TYPE_CACHE[$key]}"
  fi
}

# collect_vgpus DEVDIR ADDR: appends to VGPUS the mdev instances created on the PCI function at DEVDIR (a
# GPU or one of its VFs) as vgpu_instances entries, each preceded by a comma. No subshell, so the type cache
# serves every VF of the GPU.
collect_vgpus() {
  local dev="$1" addr="$2" type count entry avail maxinst la q_addr q_uuid q_name
  local -a entries
  la="$(libvirt_address "$addr")"
  jstr q_addr "$addr"
  for type in "$dev"/mdev_supported_types/*/; do
    type="${type%/}"
    entries=("$type"/devices/*)
    count=${#entries[@]}
    [[ $count -gt 0 ]] || continue
    type_facts "$type"
    jstr q_name "$T_NAME"
    maxinst="$T_MAX"
    if [[ -z "$maxinst" ]]; then
      avail="$(read_int "$type/available_instances" 0)"
      maxinst=$((avail + count))
    fi
    for entry in "${entries[@]}"; do
      jstr q_uuid "${entry##*/}"
      VGPUS+=$',\n        {"mdev_uuid": '"$q_uuid"', "profile_name": '"$q_name"', "max_instances": '"$maxinst"
      if [[ -n "$T_FB" ]]; then VGPUS+=', "video_ram": '"$T_FB"; fi
      if [[ -n "$T_HEADS" ]]; then VGPUS+=', "max_heads": '"$T_HEADS"; fi
      if [[ -n "$T_RX" ]]; then VGPUS+=', "max_resolution_x": '"$T_RX"', "max_resolution_y": '"$T_RY"; fi
      VGPUS+=', "libvirt_address": '"$la"', "parent_pci_address": '"$q_addr"', "used_by_vm": null}'
    done
  done
  return 0
}

# collect_types DEVDIR: sets TYPES to the names of the mdev types the function at DEVDIR offers (JSON array).
collect_types() {
  local dev="$1" type q
  TYPES=""
  for type in "$dev"/mdev_supported_types/*/; do
    type_facts "${type%/}"
    jstr q "$T_NAME"
    TYPES+="${TYPES:+, }$q"
  done
  TYPES="[$TYPES]"
}

# collect_vfs DEVDIR: sets VFS (the vf_instances entries) and appends to VGPUS the mdevs created on the VFs.
# A VF reports its own driver and IOMMU group (null when it has none), and the mdev types it offers: with
# NVIDIA vGPU on SR-IOV the vGPU types and instances live under the VFs, not under the GPU.
collect_vfs() {
  local dev="$1" link n vfaddr vfdir i drv grp q_addr q_drv q_grp
  local -a vfs=()
  VFS=""
  for link in "$dev"/virtfn*; do
    n="${link##*/virtfn}"
    [[ "$n" =~ ^[0-9]+$ ]] || continue
    vfs[10#$n]="$link"
  done
  for i in "${!vfs[@]}"; do
    link="${vfs[$i]}"
    vfaddr="$(link_name "$link")"
    [[ "$vfaddr" =~ $PCI_RE ]] || continue
    vfaddr="${vfaddr,,}"
    vfdir="$(readlink -f -- "$link" 2>/dev/null || true)"
    drv=""
    grp=""
    TYPES="[]"
    if [[ -n "$vfdir" ]]; then
      drv="$(link_name "$vfdir/driver")"
      grp="$(link_name "$vfdir/iommu_group")"
      if [[ -d "$vfdir/mdev_supported_types" ]]; then
        collect_types "$vfdir"
        collect_vgpus "$vfdir" "$vfaddr"
      fi
    fi
    jstr q_addr "$vfaddr"
    jstr_or_null q_drv "$drv"
    jstr_or_null q_grp "$grp"
    VFS+="${VFS:+,}"$'\n        {"vf_pci_address": '"$q_addr"', "vf_profile": "", "driver": '"$q_drv"
    VFS+=', "iommu_group": '"$q_grp"', "vgpu_types": '"$TYPES"', "libvirt_address": '"$(libvirt_address "$vfaddr")"
    VFS+=', "used_by_vm": null}'
  done
  [[ -z "$VFS" ]] || VFS+=$'\n      '
  return 0
}

print_gpu() {
  local dev="$1" addr="$2" class4="$3"
  local vendor_id device_id vendor device driver group root numa total num vgpus enabled
  TYPE_CACHE=()
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
  VGPUS=""
  collect_vgpus "$dev" "$addr"
  collect_vfs "$dev"
  vgpus="$VGPUS"
  enabled=1
  if [[ -n "$vgpus" || -n "$VFS" ]]; then enabled=0; fi
  if [[ -n "$vgpus" ]]; then vgpus="${vgpus#,}"$'\n      '; fi

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
  printf '      "vf_instances": [%s]\n' "$VFS"
  printf '    }'
}

# console_reason DEVDIR ADDR: why the device is the host's console display ("" when it is not, or when it
# is opted in with --include).
console_reason() {
  local dev="$1" addr="$2" id driver
  id="$(hex_id "$dev/vendor"):$(hex_id "$dev/device")"
  if [[ "$INCLUDED" == *" $addr "* || "$INCLUDED" == *" $id "* ]]; then
    return 0
  fi
  if [[ "$(read_first "$dev/boot_vga")" == 1 ]]; then
    printf 'the boot display (boot_vga = 1)'
  elif [[ "$BMC_IDS" == *" $id "* ]]; then
    printf 'a BMC display (%s)' "$id"
  else
    driver="$(link_name "$dev/driver")"
    if [[ -n "$driver" && "$CONSOLE_DRIVERS" == *" $driver "* ]]; then
      printf 'bound to the console driver %s' "$driver"
    fi
  fi
  return 0
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
  console="$(console_reason "$dev" "$addr")"
  if [[ -n "$console" ]]; then
    echo "gpudiscovery.sh: skipped $addr, the host's console display: $console (--include $addr reports it)" >&2
    continue
  fi
  [[ $first == 1 ]] || out+=','
  first=0
  out+="$(print_gpu "$dev" "$addr" "$class4")"
done
if [[ $first == 0 ]]; then out+=$'\n  '; fi
out+=']}'
printf '%s\n' "$out"
