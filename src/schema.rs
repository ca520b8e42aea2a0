// Written by hand to the types both backends map: BigInt ids, Text,
// Bool, Integer and Timestamp (UTC by convention).

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        locale -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        is_staff -> Bool,
        is_admin -> Bool,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        time_zone -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        public_id -> Text,
        user_id -> Nullable<BigInt>,
        state -> Text,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        subject -> Text,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outgoing_email (id) {
        id -> BigInt,
        message_id -> Text,
        to_addr -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        in_reply_to -> Nullable<Text>,
        references_hdr -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        unsubscribe_url -> Nullable<Text>,
        sensitive -> Bool,
        redacted_at -> Nullable<Timestamp>,
        reply_to -> Nullable<Text>,
    }
}

diesel::table! {
    partners (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
        website -> Text,
        description -> Text,
        contact_email -> Text,
        status -> Text,
        decision_reason -> Nullable<Text>,
        applicant_id -> Nullable<BigInt>,
        notify_engagements -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        rating_count -> Integer,
        rating_sum -> Integer,
        require_two_step -> Bool,
        approved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        partner_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    listings (id) {
        id -> BigInt,
        partner_id -> BigInt,
        category_id -> Nullable<BigInt>,
        title -> Text,
        slug -> Text,
        summary -> Text,
        body -> Text,
        price_text -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        rating_count -> Integer,
        rating_sum -> Integer,
        rating_key -> BigInt,
        views_30d -> BigInt,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        partner_id -> BigInt,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by -> Nullable<BigInt>,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    listing_views (listing_id, day) {
        listing_id -> BigInt,
        day -> Text,
        views -> Integer,
    }
}

diesel::table! {
    engagements (id) {
        id -> BigInt,
        listing_id -> BigInt,
        partner_id -> BigInt,
        consumer_id -> BigInt,
        message -> Text,
        created_at -> Timestamp,
        reply_body -> Nullable<Text>,
        reply_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consents (partner_id, consumer_id) {
        partner_id -> BigInt,
        consumer_id -> BigInt,
        given -> Bool,
        given_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    activities (id) {
        id -> BigInt,
        consumer_id -> BigInt,
        partner_id -> Nullable<BigInt>,
        listing_id -> Nullable<BigInt>,
        kind -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reviews (id) {
        id -> BigInt,
        listing_id -> BigInt,
        partner_id -> BigInt,
        consumer_id -> BigInt,
        rating -> Integer,
        body -> Text,
        hidden_at -> Nullable<Timestamp>,
        hidden_reason -> Nullable<Text>,
        reply_body -> Nullable<Text>,
        reply_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        number -> BigInt,
        requester_id -> BigInt,
        partner_id -> Nullable<BigInt>,
        listing_id -> Nullable<BigInt>,
        subject -> Text,
        status -> Text,
        priority -> Text,
        assignee_id -> Nullable<BigInt>,
        first_response_due -> Nullable<Timestamp>,
        resolution_due -> Nullable<Timestamp>,
        first_response_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        paused_since -> Nullable<Timestamp>,
        paused_minutes -> Integer,
        satisfaction_rating -> Nullable<Integer>,
        satisfaction_comment -> Nullable<Text>,
        satisfaction_at -> Nullable<Timestamp>,
        last_activity_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// Generated by the database (migration 000008): the SLA order of
        /// an active ticket; never written.
        queue_key -> Nullable<BigInt>,
        follow_up_of -> Nullable<BigInt>,
        sla_warned_key -> Nullable<BigInt>,
    }
}

diesel::table! {
    email_preferences (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        enabled -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    passkeys (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        credential_id -> Text,
        user_handle -> Text,
        passkey -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webauthn_challenges (id) {
        id -> Text,
        user_id -> Nullable<BigInt>,
        purpose -> Text,
        state -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    email_digests (user_id) {
        user_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    ticket_messages (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        author_id -> Nullable<BigInt>,
        author_kind -> Text,
        partner_id -> Nullable<BigInt>,
        body -> Text,
        internal -> Bool,
        created_at -> Timestamp,
        inbound_id -> Nullable<BigInt>,
        matched_by -> Nullable<Text>,
    }
}

diesel::table! {
    canned_replies (id) {
        id -> BigInt,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sla_policies (priority) {
        priority -> Text,
        first_response_minutes -> Integer,
        resolution_minutes -> Integer,
    }
}

diesel::table! {
    business_hours (id) {
        id -> BigInt,
        utc_offset_minutes -> Integer,
        schedule -> Text,
        time_zone -> Nullable<Text>,
    }
}

diesel::table! {
    crm_notes (id) {
        id -> BigInt,
        partner_id -> BigInt,
        consumer_id -> BigInt,
        author_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    crm_tags (id) {
        id -> BigInt,
        partner_id -> BigInt,
        consumer_id -> BigInt,
        tag -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    customer_scores (partner_id, consumer_id) {
        partner_id -> BigInt,
        consumer_id -> BigInt,
        last_activity_at -> Timestamp,
        first_activity_at -> Timestamp,
        frequency -> Integer,
        satisfaction -> Integer,
        r_score -> Integer,
        f_score -> Integer,
        s_score -> Integer,
        segment -> Text,
        computed_at -> Timestamp,
        past_segment -> Nullable<Text>,
    }
}

diesel::table! {
    customer_score_runs (partner_id) {
        partner_id -> BigInt,
        computed_at -> Timestamp,
        seen_after -> Timestamp,
        seen_count -> Integer,
        customers -> Integer,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        partner_id -> BigInt,
        name -> Text,
        prefix -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_idempotency (token_id, idem_key) {
        token_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    totp_credentials (user_id) {
        user_id -> BigInt,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        message_id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachment_files (sha256) {
        sha256 -> Text,
        size -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    inbound_mail (id) {
        id -> BigInt,
        message_id -> Text,
        from_addr -> Text,
        subject -> Text,
        raw -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
        ticket_id -> Nullable<BigInt>,
        matched_by -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    ticket_mail_ids (message_id) {
        message_id -> Text,
        ticket_id -> BigInt,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        partner_id -> BigInt,
        url -> Text,
        description -> Text,
        events -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        enabled -> Bool,
        disabled_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        last_success_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        partner_id -> BigInt,
        event_id -> Text,
        event_type -> Text,
        payload -> Text,
        redacted -> Nullable<Text>,
        customer_id -> Nullable<BigInt>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        response_body -> Text,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(email_preferences -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> partners (partner_id));
diesel::joinable!(listings -> partners (partner_id));
diesel::joinable!(listings -> categories (category_id));
diesel::joinable!(invitations -> partners (partner_id));
diesel::joinable!(listing_views -> listings (listing_id));
diesel::joinable!(engagements -> listings (listing_id));
diesel::joinable!(engagements -> partners (partner_id));
diesel::joinable!(engagements -> users (consumer_id));
diesel::joinable!(consents -> partners (partner_id));
diesel::joinable!(api_tokens -> partners (partner_id));
diesel::joinable!(api_idempotency -> api_tokens (token_id));
diesel::joinable!(webhook_endpoints -> partners (partner_id));
diesel::joinable!(ticket_mail_ids -> tickets (ticket_id));
diesel::joinable!(attachments -> ticket_messages (message_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(consents -> users (consumer_id));
diesel::joinable!(reviews -> listings (listing_id));
diesel::joinable!(reviews -> users (consumer_id));
diesel::joinable!(ticket_messages -> tickets (ticket_id));
diesel::joinable!(tickets -> partners (partner_id));
diesel::joinable!(tickets -> listings (listing_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    api_tokens,
    api_idempotency,
    totp_credentials,
    recovery_codes,
    attachments,
    attachment_files,
    inbound_mail,
    ticket_mail_ids,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    email_preferences,
    email_digests,
    passkeys,
    webauthn_challenges,
    sessions,
    email_tokens,
    audit_events,
    outgoing_email,
    partners,
    memberships,
    categories,
    listings,
    invitations,
    listing_views,
    engagements,
    consents,
    activities,
    reviews,
    tickets,
    ticket_messages,
    canned_replies,
    sla_policies,
    business_hours,
    crm_notes,
    crm_tags,
    customer_scores,
    customer_score_runs,
);

diesel::table! {
    rate_counters (action, subject, window_start) {
        action -> Text,
        subject -> Text,
        window_start -> Timestamp,
        hits -> Integer,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (subject) {
        subject -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        expires_at -> Timestamp,
    }
}
