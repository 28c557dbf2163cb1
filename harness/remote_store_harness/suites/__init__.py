"""Running the project's pytest suites (conformance, scenarios, benchmark smoke) in-process and
collecting one outcome per case, so a run can report what actually executed."""
