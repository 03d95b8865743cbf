/**
 * The classification in force: the ENISA / TF-CSIRT Reference Security Incident Taxonomy (RSIT) and a
 * four-level severity scale with written criteria (ISO/IEC 27035-2 asks for one). Both live here, as data,
 * so a hub extends them in one place.
 */
export interface IncidentCategory {
  id: string;
  name: string;
  subTypes: { id: string; name: string }[];
}

const category = (id: string, name: string, subTypes: [string, string][]): IncidentCategory => ({
  id,
  name,
  subTypes: subTypes.map(([subId, subName]) => ({ id: subId, name: subName })),
});

export const RSIT_CATEGORIES: readonly IncidentCategory[] = [
  category('abusive-content', 'Abusive content', [
    ['spam', 'Spam'],
    ['harmful-speech', 'Harmful speech'],
    ['violence', '(Child) sexual exploitation, sexual content, violence'],
  ]),
  category('malicious-code', 'Malicious code', [
    ['infected-system', 'Infected system'],
    ['c2-server', 'C2 server'],
    ['malware-distribution', 'Malware distribution'],
    ['malware-configuration', 'Malware configuration'],
  ]),
  category('information-gathering', 'Information gathering', [
    ['scanner', 'Scanning'],
    ['sniffing', 'Sniffing'],
    ['social-engineering', 'Social engineering'],
  ]),
  category('intrusion-attempts', 'Intrusion attempts', [
    ['ids-alert', 'Exploitation of known vulnerabilities'],
    ['brute-force', 'Login attempts'],
    ['exploit', 'New attack signature'],
  ]),
  category('intrusions', 'Intrusions', [
    ['privileged-account-compromise', 'Privileged account compromise'],
    ['unprivileged-account-compromise', 'Unprivileged account compromise'],
    ['application-compromise', 'Application compromise'],
    ['system-compromise', 'System compromise'],
    ['burglary', 'Burglary'],
  ]),
  category('availability', 'Availability', [
    ['dos', 'Denial of service'],
    ['ddos', 'Distributed denial of service'],
    ['misconfiguration', 'Misconfiguration'],
    ['sabotage', 'Sabotage'],
    ['outage', 'Outage'],
  ]),
  category('information-content-security', 'Information content security', [
    ['unauthorised-information-access', 'Unauthorised access to information'],
    ['unauthorised-information-modification', 'Unauthorised modification of information'],
    ['data-loss', 'Data loss'],
    ['data-leak', 'Leak of confidential information'],
  ]),
  category('fraud', 'Fraud', [
    ['unauthorised-use-of-resources', 'Unauthorised use of resources'],
    ['copyright', 'Copyright'],
    ['masquerade', 'Masquerade'],
    ['phishing', 'Phishing'],
  ]),
  category('vulnerable', 'Vulnerable', [
    ['weak-crypto', 'Weak cryptography'],
    ['ddos-amplifier', 'DDoS amplifier'],
    ['potentially-unwanted-accessible', 'Potentially unwanted accessible services'],
    ['information-disclosure', 'Information disclosure'],
    ['vulnerable-system', 'Vulnerable system'],
  ]),
  category('other', 'Other', [
    ['other', 'Uncategorised'],
    ['undetermined', 'Undetermined'],
  ]),
  category('test', 'Test', [['test', 'Test']]),
];

export interface SeverityLevel {
  level: 1 | 2 | 3 | 4;
  id: 'low' | 'medium' | 'high' | 'critical';
  name: string;
  criteria: string;
}

export const SEVERITY_SCALE: readonly SeverityLevel[] = [
  {
    level: 1,
    id: 'low',
    name: 'Low',
    criteria: 'No or negligible impact on services, data or people; handled within normal operations.',
  },
  {
    level: 2,
    id: 'medium',
    name: 'Medium',
    criteria: 'Limited impact: a non-essential service degraded, or non-sensitive data exposed; contained within one organisation.',
  },
  {
    level: 3,
    id: 'high',
    name: 'High',
    criteria: 'Serious impact: an essential service disrupted, sensitive or personal data compromised, or several organisations affected.',
  },
  {
    level: 4,
    id: 'critical',
    name: 'Critical',
    criteria: 'Severe impact: essential services down across organisations or sectors, danger to life or safety, or national-level consequences.',
  },
];

/** Whether a category and sub-type pair is in force; every write of a classification checks it here. */
export function isKnownClassification(categoryId: string, subTypeId: string): boolean {
  return RSIT_CATEGORIES.some((c) => c.id === categoryId && c.subTypes.some((s) => s.id === subTypeId));
}
