#!/usr/bin/env bash
# Fetches the Debian packages that provide the project's real text corpora and lays
# their text out, uncompressed, under .cache/corpora/raw/<source>/ where the Corpora
# module reads it (see Sources/Corpora/README.md).
#
# Packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# .cache/corpora/pkgroot/ rather than installed system-wide: the dict-* packages depend
# on a dictionary server (dictd) we do not want running, and unpacking is unaffected by
# dpkg path excludes (slim images drop /usr/share/man). Only `apt-get update` (once, if
# the package lists lack a package) and, if missing, libreadline8 for the KJV reader
# touch the system.
#
# Idempotent: packages already downloaded are not fetched again and raw/ is rebuilt
# from the unpacked packages each run (a few seconds). Nothing here is hand-written
# text: every byte under raw/ comes from a package.
#
# Usage: bash scripts/install-corpora.sh   (from anywhere; root or sudo for apt-get)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${ATTRIB_CORPORA_CACHE:-$repo/.cache/corpora}"
debs="$cache/debs"
pkgroot="$cache/pkgroot"
raw="$cache/raw"

packages=(
    bible-kjv-text bible-kjv
    dict-gcide dict-jargon dict-foldoc dict-devil dict-wn
    fortunes fortunes-min fortunes-bofh-excuses
    debian-reference-en debian-faq developers-reference gnu-standards
    manpages base-files
)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
apt_opts=(-o APT::Sandbox::User=root -q)

mkdir -p "$debs" "$pkgroot"

# Download what is missing; refresh the package lists once if apt does not know a package.
missing=()
for p in "${packages[@]}"; do
    compgen -G "$debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
if ((${#missing[@]})); then
    if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
        echo "== apt-get update"
        "${sudo_cmd[@]}" apt-get "${apt_opts[@]}" update >/dev/null
    fi
    echo "== downloading: ${missing[*]}"
    (cd "$debs" && apt-get "${apt_opts[@]}" download "${missing[@]}" >/dev/null)
fi

# Unpack every package into its own tree (so a source takes files from its own package
# only; cheap, and makes the result independent of earlier runs).
rm -rf "$pkgroot"
for p in "${packages[@]}"; do
    deb=$(compgen -G "$debs/${p}_*.deb" | sort | tail -n 1)
    mkdir -p "$pkgroot/$p"
    dpkg-deb -x "$deb" "$pkgroot/$p"
done
share() { echo "$pkgroot/$1/usr/share"; }

# The KJV text ships in the reader's own compressed format; its reader prints it.
bible="$pkgroot/bible-kjv/usr/bin/bible"
if ldd "$bible" | grep -q 'not found'; then
    echo "== installing the KJV reader's shared libraries (libreadline8)"
    "${sudo_cmd[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends libreadline8 >/dev/null
fi

rm -rf "$raw"
mkdir -p "$raw"

# 1. King James Bible: one verse a line, chapter headings, no wrapping.
mkdir -p "$raw/bible-kjv"
"$bible" -p "$pkgroot/bible-kjv-text/usr/lib" -l100000 'Gen1:1-Rev22:21' </dev/null >"$raw/bible-kjv/bible.txt"

# 2-6. dictd dictionaries: .dict.dz is dictzip (gzip-compatible); keep the index beside it.
for d in gcide:gcide:dict-gcide jargon:jargon:dict-jargon foldoc:foldoc:dict-foldoc devil:devil:dict-devil wordnet:wn:dict-wn; do
    IFS=: read -r name file pkg <<<"$d"
    mkdir -p "$raw/$name"
    zcat "$(share "$pkg")/dictd/$file.dict.dz" >"$raw/$name/$file.dict"
    cp "$(share "$pkg")/dictd/$file.index" "$raw/$name/$file.index"
done

# 7-8. Fortune cookies: text files only (.dat are strfile indexes), no ASCII pictures.
mkdir -p "$raw/fortunes" "$raw/bofh-excuses"
for f in "$(share fortunes)/games/fortunes"/* "$(share fortunes-min)/games/fortunes"/* "$(share fortunes-bofh-excuses)/games/fortunes"/*; do
    base=$(basename "$f")
    case "$base" in
        *.dat|*.u8|ascii-art) continue ;;
        bofh-excuses) cp "$f" "$raw/bofh-excuses/" ;;
        *) [[ -f "$f" && ! -L "$f" ]] && cp "$f" "$raw/fortunes/" ;;
    esac
done

# 9-11. Debian manuals, in their plain-text renderings.
mkdir -p "$raw/debian-reference" "$raw/debian-faq" "$raw/developers-reference"
zcat "$(share debian-reference-en)/debian-reference/debian-reference.en.txt.gz" >"$raw/debian-reference/debian-reference.en.txt"
zcat "$(share debian-faq)/doc/debian/FAQ/debian-faq.en.txt.gz" >"$raw/debian-faq/debian-faq.en.txt"
zcat "$(share developers-reference)/developers-reference/developers-reference.txt.gz" >"$raw/developers-reference/developers-reference.txt"

# 12. GNU Coding Standards and Information for Maintainers of GNU Software (Info).
mkdir -p "$raw/gnu-standards"
zcat "$(share gnu-standards)/info/standards.info.gz" >"$raw/gnu-standards/standards.info"
zcat "$(share gnu-standards)/info/maintain.info.gz" >"$raw/gnu-standards/maintain.info"

# 13. Linux manual pages (roff source), regular files only (links are duplicates).
for page in "$(share manpages)/man"/man*/*.gz; do
    [[ -L "$page" ]] && continue
    section=$(basename "$(dirname "$page")")
    mkdir -p "$raw/manpages/$section"
    zcat "$page" >"$raw/manpages/$section/$(basename "$page" .gz)"
done

# 14. Licence texts from base-files (GPL, LGPL, GFDL are links to their latest version).
mkdir -p "$raw/licenses"
for f in "$(share base-files)/common-licenses"/*; do
    [[ -f "$f" && ! -L "$f" ]] && cp "$f" "$raw/licenses/"
done

echo "== packages"
for p in "${packages[@]}"; do
    deb=$(compgen -G "$debs/${p}_*.deb" | sort | tail -n 1)
    printf '  %-24s %s\n' "$p" "$(basename "$deb")"
done
echo "== raw corpora in $raw"
for d in "$raw"/*/; do
    printf '  %-22s %6s files %10s bytes\n' "$(basename "$d")" \
        "$(find "$d" -type f | wc -l)" "$(find "$d" -type f -exec cat {} + | wc -c)"
done
printf '  %-22s %6s       %10s bytes\n' total "" "$(find "$raw" -type f -exec cat {} + | wc -c)"
