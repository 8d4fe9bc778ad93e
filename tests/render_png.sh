#!/usr/bin/env bash
# Render one example of every chart (from the README's `robust` run) to docs/charts/*.png, so
# the charts can be looked at and shown in the README. Needs rsvg-convert (librsvg2-bin) and
# pngquant (keeps each PNG well under 150 KB); both are installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v rsvg-convert >/dev/null 2>&1 || ! command -v pngquant >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo apt-get install -y librsvg2-bin pngquant
fi

svg_dir="$(mktemp -d)"
trap 'rm -rf "$svg_dir"' EXIT
# The charts of the README's main job (IECI 2022 reconstruction, Beijing): every chart type.
cargo run --quiet --release -- robust --out "$svg_dir/robust" > /dev/null
cp "$svg_dir"/robust/*.svg "$svg_dir"/

mkdir -p docs/charts
for svg in "$svg_dir"/*.svg; do
    name="$(basename "$svg" .svg)"
    png="docs/charts/$name.png"
    # 1.25× the SVG's own size: crisp on screens; 256-colour quantisation keeps files small.
    rsvg-convert --zoom 1.25 --background-color white "$svg" --output "$png"
    pngquant --force --skip-if-larger --quality 85-100 --strip --output "$png" "$png"
    echo "$png $(du -k "$png" | cut -f1) KB"
done
