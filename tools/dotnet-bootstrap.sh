#!/usr/bin/env bash
# A .NET toolchain for a machine that has no .NET SDK, made only of packages from NuGet:
#   DEST/dotnet                      the host (tools/dotnet-bootstrap/muxer.c, built with gcc)
#   DEST/host/fxr, DEST/shared       the .NET runtime (Microsoft.NETCore.App.Runtime.linux-x64)
#   DEST/packs                       the reference assemblies and source generators (Microsoft.NETCore.App.Ref)
#   DEST/sdk/<version>/dotnet.dll    `dotnet build`, `dotnet test`, `dotnet run file.cs` for this
#                                    repository's projects (tools/dotnet-bootstrap/Sdk, Roslyn 5.12),
#                                    compiled by tools/dotnet-bootstrap/minicsc.il (assembled with ilasm)
#   DEST/packages                    the NuGet packages the projects use
# Usage: tools/dotnet-bootstrap.sh [DEST]   (default build/dotnet); prints DEST when it is ready.
# ./archnb uses it only when `dotnet` is not on PATH; a machine with the SDK never runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$(mkdir -p "${1:-$ROOT/build/dotnet}" && cd "${1:-$ROOT/build/dotnet}" && pwd)"
SRC="$ROOT/tools/dotnet-bootstrap"
RUNTIME=10.0.12
ROSLYN=5.12.0
SDK_VERSION=10.0.100-archnb.bootstrap
PKGS="$DEST/packages"
PY=/usr/bin/python3

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }
die() { printf '[bootstrap] error: %s\n' "$*" >&2; exit 1; }
for tool in gcc "$PY"; do command -v "$tool" >/dev/null || die "$tool is needed to make the .NET toolchain"; done

"$PY" "$SRC/fetch.py" "$PKGS" \
  "microsoft.netcore.app.runtime.linux-x64/$RUNTIME" "microsoft.netcore.app.ref/$RUNTIME" \
  "runtime.linux-x64.microsoft.netcore.ilasm/$RUNTIME" \
  "microsoft.codeanalysis.common/$ROSLYN" "microsoft.codeanalysis.csharp/$ROSLYN"

# The runtime: hostfxr where the host looks for it, the shared framework where hostfxr does.
RT="$PKGS/microsoft.netcore.app.runtime.linux-x64/$RUNTIME/runtimes/linux-x64"
FX="$DEST/shared/Microsoft.NETCore.App/$RUNTIME"
if [ ! -f "$FX/.complete" ]; then
  log "laying out the .NET runtime $RUNTIME"
  rm -rf "$FX" "$DEST/host/fxr/$RUNTIME"
  mkdir -p "$FX" "$DEST/host/fxr/$RUNTIME"
  cp "$RT"/lib/net10.0/* "$FX/"
  find "$RT/native" -maxdepth 1 -type f ! -name libhostfxr.so -exec cp {} "$FX/" \;
  cp "$RT/native/libhostfxr.so" "$DEST/host/fxr/$RUNTIME/"
  chmod +x "$FX/createdump"
  touch "$FX/.complete"
fi
REF="$DEST/packs/Microsoft.NETCore.App.Ref/$RUNTIME"
if [ ! -d "$REF/ref" ]; then
  mkdir -p "$REF"
  cp -r "$PKGS/microsoft.netcore.app.ref/$RUNTIME"/{ref,analyzers,data} "$REF/"
fi
if [ ! -x "$DEST/dotnet" ] || [ "$SRC/muxer.c" -nt "$DEST/dotnet" ]; then
  gcc -O2 -Wall -o "$DEST/dotnet" "$SRC/muxer.c" -ldl
fi

# The SDK: minicsc (IL) compiles it with Roslyn; rebuilt whenever its sources change.
SDK="$DEST/sdk/$SDK_VERSION"
if [ ! -f "$SDK/dotnet.dll" ] || [ -n "$(find "$SRC" -newer "$SDK/dotnet.dll" -type f)" ]; then
  log "building the bootstrap SDK ($SDK_VERSION)"
  BOOT="$DEST/boot"
  rm -rf "$BOOT" "$DEST/sdk"
  mkdir -p "$BOOT" "$SDK"
  ILASM="$PKGS/runtime.linux-x64.microsoft.netcore.ilasm/$RUNTIME/runtimes/linux-x64/native/ilasm"
  chmod +x "$ILASM"
  cp "$PKGS/microsoft.codeanalysis.common/$ROSLYN/lib/net10.0/Microsoft.CodeAnalysis.dll" \
     "$PKGS/microsoft.codeanalysis.csharp/$ROSLYN/lib/net10.0/Microsoft.CodeAnalysis.CSharp.dll" "$BOOT/"
  cp "$BOOT"/*.dll "$SRC/fetch.py" "$SDK/"   # the SDK fetches the projects' packages with the same fetch.py
  "$ILASM" -dll -quiet -output="$BOOT/minicsc.dll" "$SRC/minicsc.il" >/dev/null || die "ilasm could not assemble minicsc.il"
  config='{"runtimeOptions":{"tfm":"net10.0","framework":{"name":"Microsoft.NETCore.App","version":"10.0.0"}}}'
  echo "$config" > "$BOOT/minicsc.runtimeconfig.json"
  echo "$config" > "$SDK/dotnet.runtimeconfig.json"
  refs=()
  for r in "$REF"/ref/net10.0/*.dll "$BOOT"/Microsoft.CodeAnalysis*.dll; do refs+=("-r:$r"); done
  "$DEST/dotnet" "$BOOT/minicsc.dll" -nologo -target:exe -langversion:latest -nullable:enable -optimize+ \
    -out:"$SDK/dotnet.dll" "${refs[@]}" "$SRC"/Sdk/*.cs || die "the bootstrap SDK did not compile"
fi
echo "$DEST"
