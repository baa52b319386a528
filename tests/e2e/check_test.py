#!/usr/bin/python3
"""Self-test of check.py's judging, with no server and no rstscope: incident JSONs built from a recorded
sample's ground truth (samples/mixed-day.ground_truth.json) must pass when right and fail when wrong.
Usage: check_test.py  (exit 0 = all assertions hold)
"""
import copy
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLE = os.path.join(ROOT, "samples", "mixed-day")


def perfect(truth):
    """One incident per failure: last line of the record, right class, one true (non-config) evidence line."""
    incs = []
    for f in truth["failures"]:
        ev = [e for e in f["evidence"] if e["role"] != "config"][:1] or f["evidence"][:1]
        incs.append({"client_event": {"source": f["client"]["source"], "line": f["client"]["last_line"],
                                      "kind": "reset", "target": f["target"], "local_port": f["local_port"]},
                     "cause": {"class": f["class"], "rule": "test", "confidence": 0.9, "explanation": ""},
                     "evidence": [{"source": e["source"], "line": e["line"], "role": e["role"]} for e in ev],
                     "alternatives": []})
    return {"tool": {"name": "rstscope", "version": "test"}, "incidents": incs}


class CheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SAMPLE + ".ground_truth.json") as f:
            cls.truth = json.load(f)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_check(self, doc, *extra):
        path = os.path.join(self.tmp.name, "inc.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        out = io.StringIO()
        with redirect_stdout(out):
            rc = check.main([SAMPLE, "--incidents", path, *extra])
        return rc, out.getvalue()

    def test_truth_is_complete(self):
        classes = {f["class"] for f in self.truth["failures"]}
        self.assertEqual(classes, {"idle-timeout", "tls-mismatch", "protocol-mismatch", "upstream-failure",
                                   "server-timeout", "request-rejected", "firewall", "server-unavailable",
                                   "unexplained"})
        self.assertGreater(len(self.truth["normal"]), 20)
        for f in self.truth["failures"]:
            self.assertLessEqual(f["client"]["line"], f["client"]["last_line"])
            if f["class"] != "unexplained":
                self.assertTrue(f["evidence"], f["id"])
            for e in f["evidence"]:  # every evidence line is really in the bundle, as recorded
                with open(os.path.join(SAMPLE, e["source"]), encoding="utf-8", errors="replace") as src:
                    lines = src.read().split("\n")
                self.assertEqual(lines[e["line"] - 1].strip(), e["text"].strip(), (f["id"], e["source"]))

    def test_perfect_passes(self):
        rc, out = self.run_check(perfect(self.truth))
        self.assertEqual(rc, 0, out)
        self.assertIn("PASS", out)

    def test_wrong_class_fails(self):
        doc = perfect(self.truth)
        for inc in doc["incidents"]:
            if inc["cause"]["class"] == "firewall":
                inc["cause"]["class"] = "unexplained"
        rc, out = self.run_check(doc)
        self.assertEqual(rc, 1)
        self.assertRegex(out, r"firewall\s+\d+\s+\d+\s+0\s+0\s+0%\s+FAIL")

    def test_missing_evidence_fails(self):
        doc = perfect(self.truth)
        for inc in doc["incidents"]:
            if inc["cause"]["class"] == "idle-timeout":
                inc["evidence"] = [{"source": "nginx/access.log", "line": 99999, "role": "proxy"}]
        rc, out = self.run_check(doc)
        self.assertEqual(rc, 1)
        self.assertIn("right class, but no true evidence line", out)

    def test_unexplained_needs_no_evidence(self):
        doc = perfect(self.truth)
        for inc in doc["incidents"]:
            if inc["cause"]["class"] == "unexplained":
                inc["evidence"] = []
        self.assertEqual(self.run_check(doc)[0], 0)

    def test_missing_incident_fails(self):
        doc = perfect(self.truth)
        doc["incidents"] = [i for i in doc["incidents"] if i["cause"]["class"] != "server-timeout"]
        rc, out = self.run_check(doc)
        self.assertEqual(rc, 1)
        self.assertIn("no incident for this client record", out)

    def test_incident_on_normal_request_fails(self):
        doc = perfect(self.truth)
        n = self.truth["normal"][0]
        extra = copy.deepcopy(doc["incidents"][0])
        extra["client_event"].update(source=n["source"], line=n["line"])
        doc["incidents"].append(extra)
        rc, out = self.run_check(doc)
        self.assertEqual(rc, 1)
        self.assertIn("incidents on normal requests", out)

    def test_stray_incident_fails_unless_allowed(self):
        doc = perfect(self.truth)
        doc["incidents"].append({"client_event": {"source": "README.md", "line": 1}, "cause": {"class": "unexplained"},
                                 "evidence": []})
        self.assertEqual(self.run_check(doc)[0], 1)
        self.assertEqual(self.run_check(doc, "--allow-stray")[0], 0)

    def test_share_threshold(self):
        doc = perfect(self.truth)
        tls = [i for i in doc["incidents"] if i["cause"]["class"] == "tls-mismatch"]
        tls[0]["cause"]["class"] = "protocol-mismatch"  # 6 of 7 right = 86 %
        self.assertEqual(self.run_check(doc)[0], 1)
        self.assertEqual(self.run_check(doc, "--min-share", "0.85")[0], 0)


if __name__ == "__main__":
    unittest.main()
