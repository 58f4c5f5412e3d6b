// The cross-rollup message envelope and its id; twin of contracts/messaging/Message.sol.
import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";

export const MESSAGE_VERSION = 1;

export type Message = {
  version: number;
  nonce: bigint;
  sourceChainId: bigint;
  sender: Address;
  destinationChainId: bigint;
  recipient: Address;
  gasLimit: bigint;
  deadline: bigint;
  body: Hex;
};

export const messageAbiParameter = {
  type: "tuple",
  components: [
    { name: "version", type: "uint8" },
    { name: "nonce", type: "uint64" },
    { name: "sourceChainId", type: "uint64" },
    { name: "sender", type: "address" },
    { name: "destinationChainId", type: "uint64" },
    { name: "recipient", type: "address" },
    { name: "gasLimit", type: "uint64" },
    { name: "deadline", type: "uint64" },
    { name: "body", type: "bytes" },
  ],
} as const;

/** keccak256(abi.encode(message)), exactly as the Outbox and Inbox compute it. */
export function messageId(message: Message): Hex {
  return keccak256(encodeAbiParameters([messageAbiParameter], [message]));
}

/** A JSON-safe form of a message (bigints as decimal strings) for storage and the CLI. */
export type MessageJson = { [K in keyof Message]: Message[K] extends bigint ? string : Message[K] };

export function messageToJson(message: Message): MessageJson {
  return {
    version: message.version,
    nonce: message.nonce.toString(),
    sourceChainId: message.sourceChainId.toString(),
    sender: message.sender,
    destinationChainId: message.destinationChainId.toString(),
    recipient: message.recipient,
    gasLimit: message.gasLimit.toString(),
    deadline: message.deadline.toString(),
    body: message.body,
  };
}

export function messageFromJson(json: MessageJson): Message {
  return {
    version: json.version,
    nonce: BigInt(json.nonce),
    sourceChainId: BigInt(json.sourceChainId),
    sender: json.sender,
    destinationChainId: BigInt(json.destinationChainId),
    recipient: json.recipient,
    gasLimit: BigInt(json.gasLimit),
    deadline: BigInt(json.deadline),
    body: json.body,
  };
}
