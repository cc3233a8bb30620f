-- The Facturino tables the reference deployment needs, with Laravel's column names and
-- PostgreSQL types as the migrations named in migrations.txt create them (contract section 2).
-- Timestamps are "timestamp(0) without time zone" holding UTC, as Laravel writes them.

CREATE TABLE migrations (
    id serial PRIMARY KEY,
    migration varchar(255) NOT NULL,
    batch integer NOT NULL
);

CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    queue varchar(255) NOT NULL,
    payload text NOT NULL,
    attempts smallint NOT NULL,
    reserved_at integer,
    available_at integer NOT NULL,
    created_at integer NOT NULL
);
CREATE INDEX jobs_queue_index ON jobs (queue);

CREATE TABLE failed_jobs (
    id bigserial PRIMARY KEY,
    uuid varchar(255) NOT NULL UNIQUE,
    connection text NOT NULL,
    queue text NOT NULL,
    payload text NOT NULL,
    exception text NOT NULL,
    failed_at timestamp(0) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE cache (
    key varchar(255) PRIMARY KEY,
    value text NOT NULL,
    expiration integer NOT NULL
);

CREATE TABLE cache_locks (
    key varchar(255) PRIMARY KEY,
    owner varchar(255) NOT NULL,
    expiration integer NOT NULL
);

CREATE TABLE sessions (
    id varchar(255) PRIMARY KEY,
    user_id bigint,
    ip_address varchar(45),
    user_agent text,
    payload text NOT NULL,
    last_activity integer NOT NULL
);
CREATE INDEX sessions_user_id_index ON sessions (user_id);
CREATE INDEX sessions_last_activity_index ON sessions (last_activity);

CREATE TABLE currencies (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    code varchar(255) NOT NULL,
    symbol varchar(255),
    precision integer NOT NULL DEFAULT 2,
    thousand_separator varchar(255) NOT NULL DEFAULT '.',
    decimal_separator varchar(255) NOT NULL DEFAULT ',',
    swap_currency_symbol boolean NOT NULL DEFAULT false,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE companies (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    logo varchar(255),
    unique_hash varchar(255),
    slug varchar(255),
    owner_id integer,
    ifrs_entity_id integer,
    subscription_tier varchar(255) NOT NULL DEFAULT 'free',
    trial_ends_at timestamp(0),
    paddle_id varchar(255),
    stripe_id varchar(255),
    is_portfolio_managed boolean NOT NULL DEFAULT false,
    managing_partner_id bigint,
    signup_source varchar(255),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE users (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    email varchar(255) NOT NULL UNIQUE,
    password varchar(255) NOT NULL,
    role varchar(255) NOT NULL DEFAULT 'user',
    company_id integer REFERENCES companies (id) ON DELETE SET NULL,
    currency_id integer REFERENCES currencies (id),
    remember_token varchar(100),
    is_active boolean NOT NULL DEFAULT true,
    last_login_at timestamp(0),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE user_company (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE
);

CREATE TABLE settings (
    id serial PRIMARY KEY,
    option varchar(255) NOT NULL UNIQUE,
    value text,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE company_settings (
    id serial PRIMARY KEY,
    option varchar(255) NOT NULL,
    value text NOT NULL,
    company_id integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE personal_access_tokens (
    id bigserial PRIMARY KEY,
    tokenable_type varchar(255) NOT NULL,
    tokenable_id bigint NOT NULL,
    name varchar(255) NOT NULL,
    token varchar(64) NOT NULL UNIQUE,
    abilities text,
    last_used_at timestamp(0),
    expires_at timestamp(0),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE features (
    id bigserial PRIMARY KEY,
    name varchar(255) NOT NULL,
    scope varchar(255) NOT NULL,
    value text NOT NULL,
    created_at timestamp(0), updated_at timestamp(0),
    UNIQUE (name, scope)
);

CREATE TABLE customers (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    email varchar(255),
    phone varchar(255),
    company_name varchar(255),
    contact_name varchar(255),
    website varchar(255),
    tax_id varchar(255),
    vat_number varchar(255),
    enable_portal boolean NOT NULL DEFAULT false,
    currency_id integer REFERENCES currencies (id),
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    creator_id integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE items (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    description text,
    unit varchar(255),
    price bigint NOT NULL,
    sku varchar(255),
    track_quantity boolean NOT NULL DEFAULT false,
    quantity numeric(15, 2),
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    unit_id integer,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE invoices (
    id serial PRIMARY KEY,
    invoice_date date NOT NULL,
    due_date date,
    invoice_number varchar(255) NOT NULL,
    reference_number varchar(255),
    status varchar(255) NOT NULL,
    paid_status varchar(255) NOT NULL,
    tax_per_item varchar(255) NOT NULL DEFAULT 'NO',
    discount_per_item varchar(255) NOT NULL DEFAULT 'NO',
    notes text,
    discount numeric(15, 2),
    discount_type varchar(255),
    discount_val bigint,
    sub_total bigint NOT NULL,
    total bigint NOT NULL,
    tax bigint NOT NULL,
    due_amount bigint NOT NULL,
    sent boolean NOT NULL DEFAULT false,
    viewed boolean NOT NULL DEFAULT false,
    unique_hash varchar(255),
    template_name varchar(255),
    type varchar(255) NOT NULL DEFAULT 'standard',
    sequence_number integer,
    customer_sequence_number integer,
    exchange_rate numeric(19, 6),
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    customer_id integer REFERENCES customers (id) ON DELETE CASCADE,
    currency_id integer REFERENCES currencies (id),
    creator_id integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamp(0), updated_at timestamp(0)
);
CREATE INDEX invoices_unique_hash_index ON invoices (unique_hash);

CREATE TABLE invoice_items (
    id serial PRIMARY KEY,
    invoice_id integer REFERENCES invoices (id) ON DELETE CASCADE,
    item_id integer REFERENCES items (id) ON DELETE SET NULL,
    name varchar(255) NOT NULL,
    description text,
    discount_type varchar(255) NOT NULL DEFAULT 'fixed',
    quantity numeric(15, 2) NOT NULL,
    price bigint NOT NULL,
    discount numeric(15, 2),
    discount_val bigint NOT NULL DEFAULT 0,
    tax bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL,
    base_price bigint, base_discount_val bigint, base_tax bigint, base_total bigint,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    created_at timestamp(0), updated_at timestamp(0)
);

-- InvoiceShelf's payments (PrometheusController's 30-day revenue gauge sums `amount`).
CREATE TABLE payments (
    id serial PRIMARY KEY,
    payment_number varchar(255),
    payment_date date NOT NULL,
    notes text,
    amount bigint NOT NULL,
    unique_hash varchar(255),
    customer_id integer REFERENCES customers (id) ON DELETE CASCADE,
    invoice_id integer REFERENCES invoices (id) ON DELETE SET NULL,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    created_at timestamp(0), updated_at timestamp(0)
);

-- spatie/laravel-medialibrary: generated PDFs (GenerateInvoicePdfJob) are media of the model.
CREATE TABLE media (
    id bigserial PRIMARY KEY,
    model_type varchar(255) NOT NULL,
    model_id bigint NOT NULL,
    uuid uuid,
    collection_name varchar(255) NOT NULL,
    name varchar(255) NOT NULL,
    file_name varchar(255) NOT NULL,
    mime_type varchar(255),
    disk varchar(255) NOT NULL,
    conversions_disk varchar(255),
    size bigint NOT NULL,
    manipulations json NOT NULL DEFAULT '[]',
    custom_properties json NOT NULL DEFAULT '{}',
    generated_conversions json NOT NULL DEFAULT '{}',
    responsive_images json NOT NULL DEFAULT '[]',
    order_column integer,
    created_at timestamp(0), updated_at timestamp(0)
);
CREATE INDEX media_model_type_model_id_index ON media (model_type, model_id);

CREATE TABLE partners (
    id bigserial PRIMARY KEY,
    user_id integer REFERENCES users (id) ON DELETE SET NULL,
    name varchar(255) NOT NULL,
    email varchar(255) NOT NULL,
    company_name varchar(255),
    commission_rate numeric(5, 2) NOT NULL DEFAULT 20.00,
    is_active boolean NOT NULL DEFAULT true,
    onboarding_completed_at timestamp(0),
    stripe_account_id varchar(255),
    stripe_account_status varchar(255),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE partner_company_links (
    id bigserial PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    company_id integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    is_primary boolean NOT NULL DEFAULT false,
    override_commission_rate numeric(5, 2),
    permissions json,
    is_active boolean NOT NULL DEFAULT true,
    is_portfolio_managed boolean NOT NULL DEFAULT false,
    portfolio_tier_override varchar(255),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE payouts (
    id bigserial PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    amount numeric(12, 2) NOT NULL,
    status varchar(255) NOT NULL DEFAULT 'pending',
    payout_date date,
    payment_method varchar(255),
    payment_reference varchar(255),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE affiliate_events (
    id bigserial PRIMARY KEY,
    affiliate_partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    upline_partner_id bigint REFERENCES partners (id) ON DELETE SET NULL,
    company_id integer REFERENCES companies (id) ON DELETE SET NULL,
    event_type varchar(255) NOT NULL,
    amount numeric(12, 2) NOT NULL,
    upline_amount numeric(12, 2),
    month_ref varchar(7),
    is_clawed_back boolean NOT NULL DEFAULT false,
    paid_at timestamp(0),
    payout_id bigint REFERENCES payouts (id) ON DELETE SET NULL,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE commissions (
    id bigserial PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    company_id integer REFERENCES companies (id) ON DELETE SET NULL,
    invoice_id integer REFERENCES invoices (id) ON DELETE SET NULL,
    payment_id integer,
    commission_type varchar(255) NOT NULL,
    base_amount numeric(15, 2) NOT NULL,
    commission_rate numeric(5, 2) NOT NULL,
    commission_amount numeric(15, 2) NOT NULL,
    status varchar(255) NOT NULL DEFAULT 'pending',
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE bank_accounts (
    id bigserial PRIMARY KEY,
    company_id integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    bank_code varchar(255),
    bank_name varchar(255),
    account_number varchar(255),
    iban varchar(255),
    currency varchar(3) NOT NULL DEFAULT 'MKD',
    opening_balance numeric(15, 2) NOT NULL DEFAULT 0,
    current_balance numeric(15, 2) NOT NULL DEFAULT 0,
    is_active boolean NOT NULL DEFAULT true,
    is_primary boolean NOT NULL DEFAULT false,
    -- 2026_02_06_000300_normalize_bank_accounts adds it; nothing at d5d901d7 writes it
    -- (BankAccount::markAsSynced is never called). No migration has last_sync_at.
    last_synced_at timestamp(0),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE bank_tokens (
    id bigserial PRIMARY KEY,
    company_id integer NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    bank_code varchar(255) NOT NULL,
    access_token text NOT NULL,
    refresh_token text,
    expires_at timestamp(0),
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE bank_transactions (
    id bigserial PRIMARY KEY,
    bank_account_id bigint REFERENCES bank_accounts (id) ON DELETE CASCADE,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    transaction_reference varchar(255),
    transaction_id varchar(255),
    amount numeric(15, 2) NOT NULL,
    currency varchar(3) NOT NULL DEFAULT 'MKD',
    transaction_type varchar(255) NOT NULL,
    booking_status varchar(255) NOT NULL DEFAULT 'booked',
    transaction_date date NOT NULL,
    description text,
    matched_invoice_id integer REFERENCES invoices (id) ON DELETE SET NULL,
    processing_status varchar(255) NOT NULL DEFAULT 'unprocessed',
    source varchar(255) NOT NULL DEFAULT 'manual',
    raw_data json,
    created_at timestamp(0), updated_at timestamp(0),
    UNIQUE (bank_account_id, transaction_reference)
);

CREATE TABLE e_invoices (
    id bigserial PRIMARY KEY,
    invoice_id integer REFERENCES invoices (id) ON DELETE CASCADE,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    ubl_xml text,
    ubl_xml_signed text,
    status varchar(255) NOT NULL DEFAULT 'DRAFT',
    created_at timestamp(0), updated_at timestamp(0)
);

-- Company QES certificates: valid_to, and (as at HEAD) no expires_at column.
CREATE TABLE certificates (
    id bigserial PRIMARY KEY,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    valid_from timestamp(0),
    valid_to timestamp(0),
    encrypted_key_blob text,
    certificate_path varchar(255),
    is_active boolean NOT NULL DEFAULT true,
    is_expired boolean NOT NULL DEFAULT false,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE gateway_webhook_events (
    id bigserial PRIMARY KEY,
    company_id integer REFERENCES companies (id) ON DELETE SET NULL,
    provider varchar(255) NOT NULL,
    event_type varchar(255),
    event_id varchar(255),
    payload json,
    signature text,
    status varchar(255) NOT NULL DEFAULT 'pending',
    processed_at timestamp(0),
    retry_count integer NOT NULL DEFAULT 0,
    created_at timestamp(0), updated_at timestamp(0)
);

CREATE TABLE import_calculations (
    id bigserial PRIMARY KEY,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    payload json,
    created_at timestamp(0), updated_at timestamp(0)
);

-- 2026_08_18_000001_make_audit_logs_company_id_nullable has run: company_id is nullable.
CREATE TABLE audit_logs (
    id bigserial PRIMARY KEY,
    company_id integer REFERENCES companies (id) ON DELETE CASCADE,
    user_id integer REFERENCES users (id) ON DELETE SET NULL,
    event varchar(255) NOT NULL,
    auditable_type varchar(255),
    auditable_id bigint,
    old_values json,
    new_values json,
    created_at timestamp(0)
);
