#!/bin/sh
# Print the path of a Python >= 3.12 interpreter, or explain and exit 1.
# Order: python3.13, python3.12, python3 on the PATH, then pyenv's installed versions (newest first).
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for cand in python3.13 python3.12 python3; do
    path=$(command -v "$cand" 2>/dev/null) || continue
    if ok "$path"; then echo "$path"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for dir in $(ls -d "$root"/versions/3.1[3-9]* "$root"/versions/3.12* 2>/dev/null | sort -r -V); do
    for exe in "$dir"/bin/python3.1[2-9] "$dir"/bin/python3; do
        if [ -x "$exe" ] && ok "$exe"; then echo "$exe"; exit 0; fi
    done
done
echo "tdgen needs Python 3.12 or newer (PySide6 6.12 aborts on 3.11)." >&2
echo "Install one (e.g. 'pyenv install 3.12', or your system's python3.12 package) and run make again." >&2
exit 1
