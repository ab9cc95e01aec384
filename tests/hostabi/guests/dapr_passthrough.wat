;; Re-exports the state functions of the direct `dapr` ABI unchanged, with a memory the
;; test fills and reads.
(module
  (import "dapr" "state_get" (func $get (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "dapr" "state_get_etag"
    (func $get_etag (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "dapr" "state_set" (func $set (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "dapr" "state_delete" (func $del (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "dapr" "state_get_bulk"
    (func $bulk (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "dapr" "state_transaction" (func $tx (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "state_get") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
               (local.get 5) (local.get 6)))
  (func (export "state_get_etag") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $get_etag (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                    (local.get 5) (local.get 6)))
  (func (export "state_set") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $set (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
               (local.get 5) (local.get 6) (local.get 7)))
  (func (export "state_delete") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $del (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
               (local.get 5)))
  (func (export "state_get_bulk") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $bulk (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                (local.get 5) (local.get 6)))
  (func (export "state_transaction") (param i32 i32 i32 i32) (result i32)
    (call $tx (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
