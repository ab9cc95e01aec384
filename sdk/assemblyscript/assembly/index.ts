// wasmdapr SDK for AssemblyScript guests.
export { DaprClient, Transport, DaprStatus, StateItem, TransactionOperation, BulkStateItem, Pair, jsonString } from "./client";
export { RequestBuilder, Response, Method, HttpError } from "./http";
