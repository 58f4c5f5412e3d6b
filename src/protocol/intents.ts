// Junction's ERC-7683 intent orders in TypeScript: the order data layout, the full order a filler passes
// to `fill` (its `originData`), the order id, the EIP-712 typed data a user signs for a gasless order, and
// the trust-path names settlers are deployed for. Pure: no I/O; mirrors contracts/apps/router/IntentOrders.sol.
import {
  type Address,
  decodeAbiParameters,
  encodeAbiParameters,
  type Hex,
  hexToString,
  keccak256,
  stringToHex,
  toHex,
} from "viem";

/** The trust paths an IntentSettler can be deployed for (one settler per path on every rollup). */
export const INTENT_PATHS = ["canonical", "optimistic", "sequencer", "zk"] as const;
export type IntentPath = (typeof INTENT_PATHS)[number];

/** What the user gives on the origin and wants on the destination. */
export type JunctionOrder = {
  inputToken: Address;
  inputAmount: bigint;
  destinationChainId: bigint;
  outputToken: Address;
  outputAmount: bigint;
  recipient: Address;
  /** Zero address: anyone may fill at once. */
  exclusiveFiller: Address;
  exclusivityDeadline: number;
};

export type SettlementTerms = { path: Hex; repaymentDelay: number };

/** An opened order in full: `abi.encode(order)` is the `originData`, its keccak256 the order id. */
export type Order = {
  settler: Address;
  user: Address;
  nonce: bigint;
  originChainId: bigint;
  openDeadline: number;
  fillDeadline: number;
  data: JunctionOrder;
  terms: SettlementTerms;
};

export const JUNCTION_ORDER_TYPE =
  "JunctionOrder(address inputToken,uint256 inputAmount,uint64 destinationChainId,address outputToken,uint256 outputAmount,address recipient,address exclusiveFiller,uint32 exclusivityDeadline)";

/** The ERC-7683 `orderDataType` of Junction orders. */
export const ORDER_DATA_TYPEHASH = keccak256(toHex(JUNCTION_ORDER_TYPE));

const junctionOrderComponents = [
  { name: "inputToken", type: "address" },
  { name: "inputAmount", type: "uint256" },
  { name: "destinationChainId", type: "uint64" },
  { name: "outputToken", type: "address" },
  { name: "outputAmount", type: "uint256" },
  { name: "recipient", type: "address" },
  { name: "exclusiveFiller", type: "address" },
  { name: "exclusivityDeadline", type: "uint32" },
] as const;

const orderParameters = [
  {
    type: "tuple",
    components: [
      { name: "settler", type: "address" },
      { name: "user", type: "address" },
      { name: "nonce", type: "uint256" },
      { name: "originChainId", type: "uint256" },
      { name: "openDeadline", type: "uint32" },
      { name: "fillDeadline", type: "uint32" },
      { name: "data", type: "tuple", components: junctionOrderComponents },
      {
        name: "terms",
        type: "tuple",
        components: [
          { name: "path", type: "bytes32" },
          { name: "repaymentDelay", type: "uint32" },
        ],
      },
    ],
  },
] as const;

/** `orderData` of an ERC-7683 order: the JunctionOrder, ABI-encoded. */
export function encodeOrderData(data: JunctionOrder): Hex {
  return encodeAbiParameters([{ type: "tuple", components: junctionOrderComponents }], [data]);
}

/** The `originData` a filler passes to `fill`. */
export function encodeOrder(order: Order): Hex {
  return encodeAbiParameters(orderParameters, [order]);
}

export function decodeOrder(originData: Hex): Order {
  const [order] = decodeAbiParameters(orderParameters, originData);
  return order as Order;
}

export function orderIdOf(originData: Hex): Hex {
  return keccak256(originData);
}

/** The bytes32 a settler stores for its trust path. */
export function pathId(path: IntentPath): Hex {
  return stringToHex(path, { size: 32 });
}

/** The trust path's name from its bytes32 id (undefined if it is none of Junction's). */
export function pathName(id: Hex): IntentPath | undefined {
  const name = hexToString(id, { size: 32 }).replace(/\0+$/, "");
  return (INTENT_PATHS as readonly string[]).includes(name) ? (name as IntentPath) : undefined;
}

/** `fillerData` for `fill`: where the filler wants the input paid, and whether to call it on arrival. */
export function encodeFillerData(repayment: { chainId: bigint; address: Address; notify?: boolean }): Hex {
  return encodeAbiParameters(
    [{ type: "uint64" }, { type: "address" }, { type: "bool" }],
    [repayment.chainId, repayment.address, repayment.notify ?? false],
  );
}

/** A gasless order as the user signs it (ERC-7683's GaslessCrossChainOrder, order data typed). */
export type GaslessOrder = {
  originSettler: Address;
  user: Address;
  nonce: bigint;
  originChainId: bigint;
  openDeadline: number;
  fillDeadline: number;
  orderData: JunctionOrder;
};

/** EIP-712 typed data of a gasless order for the settler at `settler` on `chainId`. */
export function gaslessOrderTypedData(order: GaslessOrder) {
  return {
    domain: {
      name: "Junction IntentSettler",
      version: "1",
      chainId: Number(order.originChainId),
      verifyingContract: order.originSettler,
    },
    types: {
      GaslessCrossChainOrder: [
        { name: "originSettler", type: "address" },
        { name: "user", type: "address" },
        { name: "nonce", type: "uint256" },
        { name: "originChainId", type: "uint256" },
        { name: "openDeadline", type: "uint32" },
        { name: "fillDeadline", type: "uint32" },
        { name: "orderDataType", type: "bytes32" },
        { name: "orderData", type: "JunctionOrder" },
      ],
      JunctionOrder: junctionOrderComponents,
    },
    primaryType: "GaslessCrossChainOrder",
    message: { ...order, orderDataType: ORDER_DATA_TYPEHASH },
  } as const;
}

/** The struct a settler's `openFor` / `resolveFor` take for a signed gasless order. */
export function gaslessOrderStruct(order: GaslessOrder) {
  return {
    originSettler: order.originSettler,
    user: order.user,
    nonce: order.nonce,
    originChainId: order.originChainId,
    openDeadline: order.openDeadline,
    fillDeadline: order.fillDeadline,
    orderDataType: ORDER_DATA_TYPEHASH,
    orderData: encodeOrderData(order.orderData),
  };
}
