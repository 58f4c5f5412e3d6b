// The parts of circomlibjs and snarkjs Junction uses; neither package ships TypeScript types.
declare module "circomlibjs" {
  /** An element of the BN254 scalar field in the library's internal (Montgomery) form. */
  export type FieldElement = Uint8Array;
  export interface Field {
    e(value: bigint | number | string): FieldElement;
    toObject(element: FieldElement): bigint;
  }
  export interface Poseidon {
    (inputs: (bigint | FieldElement)[]): FieldElement;
    F: Field;
  }
  export interface Eddsa {
    F: Field;
    babyJub: { F: Field };
    prv2pub(privateKey: Uint8Array): [FieldElement, FieldElement];
    signPoseidon(
      privateKey: Uint8Array,
      message: FieldElement,
    ): { R8: [FieldElement, FieldElement]; S: bigint };
    verifyPoseidon(
      message: FieldElement,
      signature: { R8: [FieldElement, FieldElement]; S: bigint },
      publicKey: [FieldElement, FieldElement],
    ): boolean;
  }
  export function buildEddsa(): Promise<Eddsa>;
  export function buildPoseidon(): Promise<Poseidon>;
  /** Generators of Poseidon contracts: creation bytecode (hex) for `nInputs` inputs. */
  export const poseidonContract: { createCode(nInputs: number): `0x${string}` };
}

declare module "snarkjs" {
  export type Groth16Proof = {
    pi_a: [string, string, string];
    pi_b: [[string, string], [string, string], [string, string]];
    pi_c: [string, string, string];
    protocol: string;
    curve: string;
  };
  export type CircuitInput = Record<string, string | string[] | string[][]>;
  export const groth16: {
    fullProve(
      input: CircuitInput,
      wasmFile: string,
      zkeyFile: string,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(verificationKey: unknown, publicSignals: string[], proof: Groth16Proof): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string): Promise<unknown>;
    exportVerificationKey(zkeyFile: string): Promise<unknown>;
    exportSolidityVerifier(zkeyFile: string, templates: { groth16: string }): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, ptauFile: string): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string): Promise<unknown>;
  };
  export const curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
