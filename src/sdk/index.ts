// The Junction SDK: what a dapp imports.
export { type Endpoint, publicClientFor, walletClientFor } from "../chain/clients.js";
export { loadManifest, type Manifest, manifestPath } from "../chain/manifest.js";
export { inboxWithErrorsAbi } from "../contracts/errors.js";
export { formatEvmV1, parseEvmV1 } from "../protocol/interop-address.js";
export { type Message, messageId } from "../protocol/message.js";
export type { MessageProof } from "../protocol/proof.js";
export * from "./bridgeTokens.js";
export * from "./errors.js";
export * from "./getMessageStatus.js";
export * from "./getSuperblock.js";
export * from "./lockAndBridge.js";
export { type JunctionNetwork, rollupOf } from "./network.js";
export * from "./proveMessage.js";
export * from "./sendBundle.js";
export * from "./sendCommittedTransaction.js";
export * from "./sendMessage.js";
export type { BundleJson, CommitmentJson } from "./sequencerRpc.js";
export * from "./waitForDelivery.js";
