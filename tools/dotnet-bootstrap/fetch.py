"""Downloads NuGet packages and extracts them: python3 fetch.py DEST ID/VERSION...

The source is ARCHNB_NUGET_SOURCE (a v3 service index) or the first v3 source in the user's
NuGet.Config, as NuGet itself reads it. Each package lands in DEST/<id>/<version>/ (lower case),
written to a temporary folder first, so an interrupted download leaves nothing half-extracted.
"""
import io
import json
import os
import shutil
import sys
import urllib.request
import xml.etree.ElementTree as ET
import zipfile


def source_index():
    env = os.environ.get("ARCHNB_NUGET_SOURCE")
    if env:
        return env
    config = os.path.expanduser("~/.nuget/NuGet/NuGet.Config")
    if os.path.exists(config):
        for add in ET.parse(config).getroot().iter("add"):
            value = add.get("value", "")
            if value.lower().endswith("index.json"):
                return value
    sys.exit(f"[bootstrap] error: no NuGet source: set ARCHNB_NUGET_SOURCE to a v3 service index, or add one to {config}")


def base_address(index):
    with urllib.request.urlopen(index, timeout=120) as r:
        resources = json.load(r)["resources"]
    for res in resources:
        if res["@type"].startswith("PackageBaseAddress/3.0.0"):
            return res["@id"].rstrip("/") + "/"
    sys.exit(f"[bootstrap] error: {index} has no PackageBaseAddress resource")


def main():
    dest, wanted = sys.argv[1], sys.argv[2:]
    base = None
    for spec in wanted:
        pid, version = (s.lower() for s in spec.split("/"))
        target = os.path.join(dest, pid, version)
        if os.path.exists(os.path.join(target, ".extracted")):
            continue
        base = base or base_address(source_index())
        url = f"{base}{pid}/{version}/{pid}.{version}.nupkg"
        print(f"[bootstrap] downloading {pid} {version}", file=sys.stderr)
        try:
            with urllib.request.urlopen(url, timeout=600) as r:
                data = r.read()
        except OSError as e:
            sys.exit(f"[bootstrap] error: {pid} {version} could not be downloaded: {e}")
        temp = f"{target}.tmp-{os.getpid()}"
        shutil.rmtree(temp, ignore_errors=True)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.extractall(temp)
        with open(os.path.join(temp, ".extracted"), "w") as f:
            f.write(url + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.rename(temp, target)


main()
