;; The compiler defers `local.get; i32.const; i32.add` until a consumer needs it, and loads and
;; stores take it as their address. These check that the deferred sum always reads the local's
;; value at the point of the add, whatever happens to the local before the sum is used.
(module
  (memory 1)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08")

  ;; address = local + constant, both orders of the operands
  (func (export "load_at") (param $p i32) (result i32)
    (i32.load8_u (i32.add (local.get $p) (i32.const 16))))
  (func (export "load_at_const_first") (param $p i32) (result i32)
    (i32.load8_u (i32.add (i32.const 16) (local.get $p))))

  ;; store of a constant value at a deferred address, then read back
  (func (export "store_const") (param $p i32) (result i32)
    (i32.store8 (i32.add (local.get $p) (i32.const 100)) (i32.const 7))
    (i32.load8_u (i32.add (local.get $p) (i32.const 100))))

  ;; store whose value is itself a deferred sum
  (func (export "store_sum") (param $p i32) (result i32)
    (i32.store (i32.add (local.get $p) (i32.const 200)) (i32.add (local.get $p) (i32.const 5)))
    (i32.load (i32.add (local.get $p) (i32.const 200))))

  ;; the local changes after the add and before the consumer: the old value counts
  (func (export "set_between") (param $p i32) (result i32)
    (i32.add (local.get $p) (i32.const 1))
    (local.set $p (i32.const 1000))
    (local.get $p)
    (i32.sub))
  (func (export "tee_between") (param $p i32) (result i32)
    (i32.load8_u
      (i32.add (local.get $p) (i32.const 16))
      (drop (local.tee $p (i32.const 5)))))

  ;; the sum written back to its own local (the loop-counter idiom), and through tee
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (local $sum i32)
    (loop $next
      (local.set $sum (i32.add (local.get $sum) (i32.load8_u (i32.add (local.get $i) (i32.const 16)))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  ;; 32-bit wrap-around before the memory offset is applied
  (func (export "wrap") (param $p i32) (result i32)
    (i32.load8_u offset=16 (i32.add (local.get $p) (i32.const 2))))

  ;; deferred sums as results, across blocks, as call arguments and as branch values
  (func (export "result") (param $p i32) (result i32)
    (i32.add (local.get $p) (i32.const -3)))
  (func (export "two_results") (param $p i32) (result i32 i32)
    (i32.add (local.get $p) (i32.const 1))
    (i32.add (local.get $p) (i32.const 2)))
  (func (export "across_block") (param $p i32) (result i32)
    (i32.add (local.get $p) (i32.const 10))
    (block (local.set $p (i32.const 0)))
    (i32.add (local.get $p)))
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "as_argument") (param $p i32) (result i32)
    (call $id (i32.add (local.get $p) (i32.const 40))))
  (func (export "as_branch_value") (param $p i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.add (local.get $p) (i32.const 7)) (local.get $p))
      (drop)
      (i32.const -1)))
  (func (export "reinterpreted") (param $p i32) (result f32)
    (f32.reinterpret_i32 (i32.add (local.get $p) (i32.const 0x3f800000))))
  (func (export "dropped") (param $p i32) (result i32)
    (drop (i32.add (local.get $p) (i32.const 1)))
    (local.get $p))

  ;; a deferred sum plus another constant stays one deferred sum (modulo 2^32)
  (func (export "chained") (param $p i32) (result i32)
    (i32.load8_u (i32.add (i32.add (local.get $p) (i32.const 0x7fffffff)) (i32.const 0x80000011))))
  (func (export "chained_value") (param $p i32) (result i32)
    (i32.add (i32.const 3) (i32.add (i32.const 4) (local.get $p))))

  ;; a computed value plus a constant, taken into the access (with the 32-bit wrap)
  (func (export "scaled_load") (param $i i32) (result i32)
    (i32.load8_u (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 16))))
  (func (export "scaled_store") (param $i i32) (param $v i32) (result i32)
    (i32.store8 (i32.add (i32.mul (local.get $i) (i32.const 3)) (i32.const 300)) (local.get $v))
    (i32.load8_u (i32.add (i32.mul (local.get $i) (i32.const 3)) (i32.const 300))))
)

(assert_return (invoke "load_at" (i32.const 3)) (i32.const 4))
(assert_return (invoke "load_at_const_first" (i32.const 7)) (i32.const 8))
(assert_return (invoke "store_const" (i32.const 9)) (i32.const 7))
(assert_return (invoke "store_sum" (i32.const 12)) (i32.const 17))
(assert_return (invoke "set_between" (i32.const 5)) (i32.const -994))
(assert_return (invoke "tee_between" (i32.const 1)) (i32.const 2))
(assert_return (invoke "count" (i32.const 8)) (i32.const 36))
(assert_return (invoke "wrap" (i32.const -1)) (i32.const 2))
(assert_trap (invoke "load_at" (i32.const 65520)) "out of bounds memory access")
(assert_trap (invoke "store_const" (i32.const 65436)) "out of bounds memory access")
(assert_return (invoke "result" (i32.const 1)) (i32.const -2))
(assert_return (invoke "two_results" (i32.const 1)) (i32.const 2) (i32.const 3))
(assert_return (invoke "across_block" (i32.const 4)) (i32.const 14))
(assert_return (invoke "as_argument" (i32.const 2)) (i32.const 42))
(assert_return (invoke "as_branch_value" (i32.const 1)) (i32.const 8))
(assert_return (invoke "as_branch_value" (i32.const 0)) (i32.const -1))
(assert_return (invoke "reinterpreted" (i32.const 0)) (f32.const 1))
(assert_return (invoke "dropped" (i32.const 6)) (i32.const 6))
(assert_return (invoke "chained" (i32.const 1)) (i32.const 2))
(assert_return (invoke "chained_value" (i32.const -7)) (i32.const 0))
(assert_return (invoke "scaled_load" (i32.const 3)) (i32.const 7))
(assert_return (invoke "scaled_load" (i32.const 0x80000001)) (i32.const 3))
(assert_return (invoke "scaled_load" (i32.const 0x7ffffff8)) (i32.const 0))
(assert_trap (invoke "scaled_load" (i32.const 0x7fff0000)) "out of bounds memory access")
(assert_return (invoke "scaled_store" (i32.const 2) (i32.const 99)) (i32.const 99))
(assert_trap (invoke "scaled_store" (i32.const 21746) (i32.const 1)) "out of bounds memory access")
