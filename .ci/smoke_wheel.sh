#!/usr/bin/env bash
# Install like a user: build the wheel, install it (not editable) in a fresh venv, then use
# it from another directory: list the seed policies, search, classify, export one to PDF
# and check the PDF's text. Usage: .ci/smoke_wheel.sh  (from anywhere; needs the network
# or a pip index for the dependencies, and Qt's system libraries).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 QT_QPA_PLATFORM=offscreen PRIVACY_READER_DATA="$work/data"
unset PRIVACY_READER_RESOURCES

python3 -m venv "$work/venv"
# Build from a copy of what the wheel is made of: setuptools builds in-tree (build/).
mkdir "$work/src"
cp -r "$repo/pyproject.toml" "$repo/setup.py" "$repo/README.md" "$repo/reader" \
  "$repo/resources" "$repo/corpus" "$work/src/"
"$work/venv/bin/pip" wheel -q --no-deps "$work/src" -w "$work/dist"
"$work/venv/bin/pip" install -q "$work"/dist/privacy_reader-*.whl pdfplumber
cd "$work"  # far from the checkout: everything must come from the installed package
app="$work/venv/bin/privacy-reader"
fail() { echo "smoke test failed: $*" >&2; exit 1; }

"$work/venv/bin/python" -c "import reader.paths as p, sys; \
sys.exit(0 if str(p.resources_dir()).startswith('$work') else 'resources not from the wheel')"
list=$("$app" list)
echo "$list"
echo "$list" | grep -q "^bmtmicro.com  *2016-11-26  *548  *Privacy Policy$" || fail "list"
echo "$list" | grep -q "snapshot from bizsecure.com" || fail "list: snapshot site"
echo "$list" | grep -q "^5 policies in $work/venv/lib/" || fail "list: embedded corpus"
"$app" search worldpay | grep -q "1\. ipmart.com" || fail "search"
"$app" classify bmtmicro.com | grep -q "^\[data_security\] Encryption ensures" || fail "classify"
"$app" export bizdesign.com -o "$work/bizdesign.pdf" | grep -q "wrote" || fail "export"
"$work/venv/bin/python" - "$work/bizdesign.pdf" <<'PY' || fail "PDF text"
import sys
import pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    text = " ".join(" ".join(page.extract_text() or "" for page in pdf.pages).split())
for expected in ("Privacy Policy", "Privacy facts", "Company bizdesign.com (snapshot from bizsecure.com)",
                 "Archived 2010-06-22", "Legend", "Security (",
                 "BizSecure protects the confidentiality of its customers' information"):
    assert expected in text, expected
print(f"PDF: {len(pdf.pages)} pages, title block, legend and policy text present")
PY
echo "wheel smoke test passed: $(basename "$work"/dist/privacy_reader-*.whl)"
