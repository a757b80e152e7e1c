"""Counts a dotnet test run's results from its .trx files and prints every skip with its reason.

Usage: trx_summary.py LABEL TRX...   prints "passed failed skipped" on the last line of stdout.
A listed .trx that is missing or unreadable counts as one failure: a suite whose host crashed
before writing results must not look green.
"""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main(label, paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            print(f"  {label}: no readable results in {path} ({e.__class__.__name__}): counted as 1 failure")
            failed += 1
            continue
        for result in root.iter(NS + "UnitTestResult"):
            outcome = result.get("outcome")
            if outcome == "Passed":
                passed += 1
            elif outcome == "NotExecuted":
                skipped += 1
                message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
                reason = message.text.strip() if message is not None and message.text else "no reason given"
                print(f"  skipped: {result.get('testName')}: {reason}")
            else:  # Failed, Error, Timeout, Aborted, ...
                failed += 1
                print(f"  {outcome.lower() if outcome else 'failed'}: {result.get('testName')}")
    print(passed, failed, skipped)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
