// The management log as a chain per subject (an incident, a joint incident); filled in by the joint-incident issue.
export {};
