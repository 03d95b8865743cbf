/** FIRST TLP 2.0, written exactly so; anything else is refused. */
export const TLP_MARKINGS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpMarking = (typeof TLP_MARKINGS)[number];

/** PAP rides along on indicators as a handling instruction; it does not decide who sees what. */
export const PAP_VALUES = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type Pap = (typeof PAP_VALUES)[number];
