"""Prints each skipped test of a .trx result file with its reason, so skips are never silent."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"  (could not read {path}: {e})")
        continue
    for result in root.iter(NS + "UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
            reason = message.text.strip() if message is not None and message.text else "no reason given"
            print(f"  skipped: {result.get('testName')}: {reason}")
