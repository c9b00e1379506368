//! Lint names that rustc and clippy renamed: an attribute or flag that uses the old name still
//! sets the new lint (with a `renamed_and_removed_lints` warning), so `#[allow(clippy::integer_arithmetic)]`
//! lowers `clippy::arithmetic_side_effects`. The table lists each old name with its current one;
//! `tests/lints_match_clippy.rs` checks it against the toolchain. Removed lints are not listed:
//! they set nothing.

/// `(old, new)` lint names, normalized (underscores, tool prefix kept).
const RENAMED: &[(&str, &str)] = &[
    // rustc
    ("single_use_lifetime", "single_use_lifetimes"),
    ("elided_lifetime_in_path", "elided_lifetimes_in_paths"),
    ("bare_trait_object", "bare_trait_objects"),
    ("unstable_name_collision", "unstable_name_collisions"),
    ("unused_doc_comment", "unused_doc_comments"),
    ("async_idents", "keyword_idents_2018"),
    ("exceeding_bitshifts", "arithmetic_overflow"),
    ("redundant_semicolon", "redundant_semicolons"),
    ("overlapping_patterns", "overlapping_range_endpoints"),
    ("disjoint_capture_migration", "rust_2021_incompatible_closure_captures"),
    ("or_patterns_back_compat", "rust_2021_incompatible_or_patterns"),
    ("non_fmt_panic", "non_fmt_panics"),
    ("unused_tuple_struct_fields", "dead_code"),
    ("static_mut_ref", "static_mut_refs"),
    ("bad_style", "nonstandard_style"),
    // clippy
    ("clippy::almost_complete_letter_range", "clippy::almost_complete_range"),
    ("clippy::blacklisted_name", "clippy::disallowed_names"),
    ("clippy::block_in_if_condition_expr", "clippy::blocks_in_conditions"),
    ("clippy::block_in_if_condition_stmt", "clippy::blocks_in_conditions"),
    ("clippy::blocks_in_if_conditions", "clippy::blocks_in_conditions"),
    ("clippy::box_vec", "clippy::box_collection"),
    ("clippy::cast_ref_to_mut", "invalid_reference_casting"),
    ("clippy::clone_double_ref", "suspicious_double_ref_op"),
    ("clippy::cmp_nan", "invalid_nan_comparisons"),
    ("clippy::const_static_lifetime", "clippy::redundant_static_lifetimes"),
    ("clippy::cyclomatic_complexity", "clippy::cognitive_complexity"),
    ("clippy::derive_hash_xor_eq", "clippy::derived_hash_with_manual_eq"),
    ("clippy::disallowed_method", "clippy::disallowed_methods"),
    ("clippy::disallowed_type", "clippy::disallowed_types"),
    ("clippy::double_neg", "double_negations"),
    ("clippy::drop_bounds", "drop_bounds"),
    ("clippy::drop_copy", "dropping_copy_types"),
    ("clippy::drop_ref", "dropping_references"),
    ("clippy::empty_drop", "clippy::empty_drops"),
    ("clippy::empty_enum", "clippy::empty_enums"),
    ("clippy::eval_order_dependence", "clippy::mixed_read_write_in_expression"),
    ("clippy::filter_map", "clippy::manual_filter_map"),
    ("clippy::find_map", "clippy::manual_find_map"),
    ("clippy::fn_address_comparisons", "unpredictable_function_pointer_comparisons"),
    ("clippy::fn_null_check", "useless_ptr_null_checks"),
    ("clippy::for_loop_over_option", "for_loops_over_fallibles"),
    ("clippy::for_loop_over_result", "for_loops_over_fallibles"),
    ("clippy::for_loops_over_fallibles", "for_loops_over_fallibles"),
    ("clippy::forget_copy", "forgetting_copy_types"),
    ("clippy::forget_ref", "forgetting_references"),
    ("clippy::identity_conversion", "clippy::useless_conversion"),
    ("clippy::if_let_redundant_pattern_matching", "clippy::redundant_pattern_matching"),
    ("clippy::if_let_some_result", "clippy::match_result_ok"),
    ("clippy::incorrect_clone_impl_on_copy_type", "clippy::non_canonical_clone_impl"),
    ("clippy::incorrect_partial_ord_impl_on_ord_type", "clippy::non_canonical_partial_ord_impl"),
    ("clippy::integer_arithmetic", "clippy::arithmetic_side_effects"),
    ("clippy::into_iter_on_array", "array_into_iter"),
    ("clippy::invalid_atomic_ordering", "invalid_atomic_ordering"),
    ("clippy::invalid_null_ptr_usage", "invalid_null_arguments"),
    ("clippy::invalid_ref", "invalid_value"),
    ("clippy::invalid_utf8_in_unchecked", "invalid_from_utf8_unchecked"),
    ("clippy::let_underscore_drop", "let_underscore_drop"),
    ("clippy::logic_bug", "clippy::overly_complex_bool_expr"),
    ("clippy::maybe_misused_cfg", "unexpected_cfgs"),
    ("clippy::mem_discriminant_non_enum", "enum_intrinsics_non_enums"),
    ("clippy::mismatched_target_os", "unexpected_cfgs"),
    ("clippy::needless_if", "clippy::needless_ifs"),
    ("clippy::new_without_default_derive", "clippy::new_without_default"),
    ("clippy::option_and_then_some", "clippy::bind_instead_of_map"),
    ("clippy::option_expect_used", "clippy::expect_used"),
    ("clippy::option_map_unwrap_or", "clippy::map_unwrap_or"),
    ("clippy::option_map_unwrap_or_else", "clippy::map_unwrap_or"),
    ("clippy::option_unwrap_used", "clippy::unwrap_used"),
    ("clippy::overflow_check_conditional", "clippy::panicking_overflow_checks"),
    ("clippy::panic_params", "non_fmt_panics"),
    ("clippy::positional_named_format_parameters", "named_arguments_used_positionally"),
    ("clippy::ref_in_deref", "clippy::needless_borrow"),
    ("clippy::result_expect_used", "clippy::expect_used"),
    ("clippy::result_map_unwrap_or_else", "clippy::map_unwrap_or"),
    ("clippy::result_unwrap_used", "clippy::unwrap_used"),
    ("clippy::reverse_range_loop", "clippy::reversed_empty_ranges"),
    ("clippy::single_char_push_str", "clippy::single_char_add_str"),
    ("clippy::stutter", "clippy::module_name_repetitions"),
    ("clippy::temporary_cstring_as_ptr", "dangling_pointers_from_temporaries"),
    ("clippy::thread_local_initializer_can_be_made_const", "clippy::missing_const_for_thread_local"),
    ("clippy::to_string_in_display", "clippy::recursive_format_impl"),
    ("clippy::transmute_float_to_int", "unnecessary_transmutes"),
    ("clippy::transmute_int_to_char", "unnecessary_transmutes"),
    ("clippy::transmute_int_to_float", "unnecessary_transmutes"),
    ("clippy::transmute_num_to_bytes", "unnecessary_transmutes"),
    ("clippy::unchecked_duration_subtraction", "clippy::unchecked_time_subtraction"),
    ("clippy::undropped_manually_drops", "undropped_manually_drops"),
    ("clippy::unknown_clippy_lints", "unknown_lints"),
    ("clippy::unused_label", "unused_labels"),
    ("clippy::unwrap_or_else_default", "clippy::unwrap_or_default"),
    ("clippy::vtable_address_comparisons", "ambiguous_wide_pointer_comparisons"),
    ("clippy::zero_width_space", "clippy::invisible_characters"),
];

/// The name `name` was renamed to, following chains; `None` if it was never renamed.
pub fn renamed(name: &str) -> Option<&'static str> {
    let mut current = RENAMED.iter().find(|(old, _)| *old == name)?.1;
    for _ in 0..RENAMED.len() {
        match RENAMED.iter().find(|(old, new)| *old == current && *new != current) {
            Some((_, next)) => current = next,
            None => break,
        }
    }
    Some(current)
}

/// Every `(old, new)` pair, for the toolchain cross-check.
pub fn all() -> &'static [(&'static str, &'static str)] {
    RENAMED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_names_map_to_new_ones() {
        assert_eq!(renamed("clippy::integer_arithmetic"), Some("clippy::arithmetic_side_effects"));
        assert_eq!(renamed("clippy::option_unwrap_used"), Some("clippy::unwrap_used"));
        assert_eq!(renamed("static_mut_ref"), Some("static_mut_refs"));
        assert_eq!(renamed("clippy::unwrap_used"), None);
        assert!(all().iter().all(|(old, new)| old != new));
    }
}
