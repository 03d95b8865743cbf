// The markings belong to the sharing policy; the register uses them as they are.
export { PAP_VALUES, type Pap, TLP_MARKINGS, type TlpMarking } from '#sharing';
