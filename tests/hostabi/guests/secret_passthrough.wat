;; Re-exports `secret_get` of the direct `dapr` ABI unchanged, with a memory the test fills
;; and reads.
(module
  (import "dapr" "secret_get"
    (func $secret_get (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "secret_get") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $secret_get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                      (local.get 5) (local.get 6))))
