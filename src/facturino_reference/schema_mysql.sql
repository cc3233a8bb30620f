-- schema.sql for MySQL/MariaDB (`up --db mysql`): the same tables, columns, keys and indexes,
-- with the types Laravel's MySQL grammar gives the same migrations (increments -> int
-- auto_increment, boolean -> tinyint(1), decimal, json, uuid -> char(36)). Timestamps are
-- `timestamp` holding naive UTC: the server and every session run at +00:00, as the app's
-- config/database.php sets 'timezone' => '+00:00'. `key`, `option` and `precision` are reserved
-- words in MySQL, quoted here as Laravel's grammar quotes every identifier.

CREATE TABLE migrations (
    id int AUTO_INCREMENT PRIMARY KEY,
    migration varchar(255) NOT NULL,
    batch int NOT NULL
);

CREATE TABLE jobs (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    queue varchar(255) NOT NULL,
    payload text NOT NULL,
    attempts smallint NOT NULL,
    reserved_at int,
    available_at int NOT NULL,
    created_at int NOT NULL
);
CREATE INDEX jobs_queue_index ON jobs (queue);

CREATE TABLE failed_jobs (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    uuid varchar(255) NOT NULL UNIQUE,
    connection text NOT NULL,
    queue text NOT NULL,
    payload text NOT NULL,
    exception text NOT NULL,
    failed_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE cache (
    `key` varchar(255) PRIMARY KEY,
    value text NOT NULL,
    expiration int NOT NULL
);

CREATE TABLE cache_locks (
    `key` varchar(255) PRIMARY KEY,
    owner varchar(255) NOT NULL,
    expiration int NOT NULL
);

CREATE TABLE sessions (
    id varchar(255) PRIMARY KEY,
    user_id bigint,
    ip_address varchar(45),
    user_agent text,
    payload text NOT NULL,
    last_activity int NOT NULL
);
CREATE INDEX sessions_user_id_index ON sessions (user_id);
CREATE INDEX sessions_last_activity_index ON sessions (last_activity);

CREATE TABLE currencies (
    id int AUTO_INCREMENT PRIMARY KEY,
    name varchar(255) NOT NULL,
    code varchar(255) NOT NULL,
    symbol varchar(255),
    `precision` int NOT NULL DEFAULT 2,
    thousand_separator varchar(255) NOT NULL DEFAULT '.',
    decimal_separator varchar(255) NOT NULL DEFAULT ',',
    swap_currency_symbol tinyint(1) NOT NULL DEFAULT 0,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE companies (
    id int AUTO_INCREMENT PRIMARY KEY,
    name varchar(255) NOT NULL,
    logo varchar(255),
    unique_hash varchar(255),
    slug varchar(255),
    owner_id int,
    ifrs_entity_id int,
    subscription_tier varchar(255) NOT NULL DEFAULT 'free',
    trial_ends_at timestamp NULL,
    paddle_id varchar(255),
    stripe_id varchar(255),
    is_portfolio_managed tinyint(1) NOT NULL DEFAULT 0,
    managing_partner_id bigint,
    signup_source varchar(255),
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE users (
    id int AUTO_INCREMENT PRIMARY KEY,
    name varchar(255) NOT NULL,
    email varchar(255) NOT NULL UNIQUE,
    password varchar(255) NOT NULL,
    role varchar(255) NOT NULL DEFAULT 'user',
    company_id int REFERENCES companies (id) ON DELETE SET NULL,
    currency_id int REFERENCES currencies (id),
    remember_token varchar(100),
    is_active tinyint(1) NOT NULL DEFAULT 1,
    last_login_at timestamp NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE user_company (
    id int AUTO_INCREMENT PRIMARY KEY,
    user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id int NOT NULL REFERENCES companies (id) ON DELETE CASCADE
);

CREATE TABLE settings (
    id int AUTO_INCREMENT PRIMARY KEY,
    `option` varchar(255) NOT NULL UNIQUE,
    value text,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE company_settings (
    id int AUTO_INCREMENT PRIMARY KEY,
    `option` varchar(255) NOT NULL,
    value text NOT NULL,
    company_id int NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE personal_access_tokens (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    tokenable_type varchar(255) NOT NULL,
    tokenable_id bigint NOT NULL,
    name varchar(255) NOT NULL,
    token varchar(64) NOT NULL UNIQUE,
    abilities text,
    last_used_at timestamp NULL,
    expires_at timestamp NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE features (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    name varchar(255) NOT NULL,
    scope varchar(255) NOT NULL,
    value text NOT NULL,
    created_at timestamp NULL, updated_at timestamp NULL,
    UNIQUE (name, scope)
);

CREATE TABLE customers (
    id int AUTO_INCREMENT PRIMARY KEY,
    name varchar(255) NOT NULL,
    email varchar(255),
    phone varchar(255),
    company_name varchar(255),
    contact_name varchar(255),
    website varchar(255),
    tax_id varchar(255),
    vat_number varchar(255),
    enable_portal tinyint(1) NOT NULL DEFAULT 0,
    currency_id int REFERENCES currencies (id),
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    creator_id int REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE items (
    id int AUTO_INCREMENT PRIMARY KEY,
    name varchar(255) NOT NULL,
    description text,
    unit varchar(255),
    price bigint NOT NULL,
    sku varchar(255),
    track_quantity tinyint(1) NOT NULL DEFAULT 0,
    quantity decimal(15, 2),
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    unit_id int,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE invoices (
    id int AUTO_INCREMENT PRIMARY KEY,
    invoice_date date NOT NULL,
    due_date date,
    invoice_number varchar(255) NOT NULL,
    reference_number varchar(255),
    status varchar(255) NOT NULL,
    paid_status varchar(255) NOT NULL,
    tax_per_item varchar(255) NOT NULL DEFAULT 'NO',
    discount_per_item varchar(255) NOT NULL DEFAULT 'NO',
    notes text,
    discount decimal(15, 2),
    discount_type varchar(255),
    discount_val bigint,
    sub_total bigint NOT NULL,
    total bigint NOT NULL,
    tax bigint NOT NULL,
    due_amount bigint NOT NULL,
    sent tinyint(1) NOT NULL DEFAULT 0,
    viewed tinyint(1) NOT NULL DEFAULT 0,
    unique_hash varchar(255),
    template_name varchar(255),
    type varchar(255) NOT NULL DEFAULT 'standard',
    sequence_number int,
    customer_sequence_number int,
    exchange_rate decimal(19, 6),
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    customer_id int REFERENCES customers (id) ON DELETE CASCADE,
    currency_id int REFERENCES currencies (id),
    creator_id int REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);
CREATE INDEX invoices_unique_hash_index ON invoices (unique_hash);

CREATE TABLE invoice_items (
    id int AUTO_INCREMENT PRIMARY KEY,
    invoice_id int REFERENCES invoices (id) ON DELETE CASCADE,
    item_id int REFERENCES items (id) ON DELETE SET NULL,
    name varchar(255) NOT NULL,
    description text,
    discount_type varchar(255) NOT NULL DEFAULT 'fixed',
    quantity decimal(15, 2) NOT NULL,
    price bigint NOT NULL,
    discount decimal(15, 2),
    discount_val bigint NOT NULL DEFAULT 0,
    tax bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL,
    base_price bigint, base_discount_val bigint, base_tax bigint, base_total bigint,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    created_at timestamp NULL, updated_at timestamp NULL
);

-- InvoiceShelf's payments (PrometheusController's 30-day revenue gauge sums `amount`).
CREATE TABLE payments (
    id int AUTO_INCREMENT PRIMARY KEY,
    payment_number varchar(255),
    payment_date date NOT NULL,
    notes text,
    amount bigint NOT NULL,
    unique_hash varchar(255),
    customer_id int REFERENCES customers (id) ON DELETE CASCADE,
    invoice_id int REFERENCES invoices (id) ON DELETE SET NULL,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    created_at timestamp NULL, updated_at timestamp NULL
);

-- spatie/laravel-medialibrary: generated PDFs (GenerateInvoicePdfJob) are media of the model.
CREATE TABLE media (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    model_type varchar(255) NOT NULL,
    model_id bigint NOT NULL,
    uuid char(36),
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
    order_column int,
    created_at timestamp NULL, updated_at timestamp NULL
);
CREATE INDEX media_model_type_model_id_index ON media (model_type, model_id);

CREATE TABLE partners (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    user_id int REFERENCES users (id) ON DELETE SET NULL,
    name varchar(255) NOT NULL,
    email varchar(255) NOT NULL,
    company_name varchar(255),
    commission_rate decimal(5, 2) NOT NULL DEFAULT 20.00,
    is_active tinyint(1) NOT NULL DEFAULT 1,
    onboarding_completed_at timestamp NULL,
    stripe_account_id varchar(255),
    stripe_account_status varchar(255),
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE partner_company_links (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    company_id int NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    is_primary tinyint(1) NOT NULL DEFAULT 0,
    override_commission_rate decimal(5, 2),
    permissions json,
    is_active tinyint(1) NOT NULL DEFAULT 1,
    is_portfolio_managed tinyint(1) NOT NULL DEFAULT 0,
    portfolio_tier_override varchar(255),
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE payouts (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    amount decimal(12, 2) NOT NULL,
    status varchar(255) NOT NULL DEFAULT 'pending',
    payout_date date,
    payment_method varchar(255),
    payment_reference varchar(255),
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE affiliate_events (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    affiliate_partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    upline_partner_id bigint REFERENCES partners (id) ON DELETE SET NULL,
    company_id int REFERENCES companies (id) ON DELETE SET NULL,
    event_type varchar(255) NOT NULL,
    amount decimal(12, 2) NOT NULL,
    upline_amount decimal(12, 2),
    month_ref varchar(7),
    is_clawed_back tinyint(1) NOT NULL DEFAULT 0,
    paid_at timestamp NULL,
    payout_id bigint REFERENCES payouts (id) ON DELETE SET NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE commissions (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    company_id int REFERENCES companies (id) ON DELETE SET NULL,
    invoice_id int REFERENCES invoices (id) ON DELETE SET NULL,
    payment_id int,
    commission_type varchar(255) NOT NULL,
    base_amount decimal(15, 2) NOT NULL,
    commission_rate decimal(5, 2) NOT NULL,
    commission_amount decimal(15, 2) NOT NULL,
    status varchar(255) NOT NULL DEFAULT 'pending',
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE bank_accounts (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    bank_code varchar(255),
    bank_name varchar(255),
    account_number varchar(255),
    iban varchar(255),
    currency varchar(3) NOT NULL DEFAULT 'MKD',
    opening_balance decimal(15, 2) NOT NULL DEFAULT 0,
    current_balance decimal(15, 2) NOT NULL DEFAULT 0,
    is_active tinyint(1) NOT NULL DEFAULT 1,
    is_primary tinyint(1) NOT NULL DEFAULT 0,
    -- 2026_02_06_000300_normalize_bank_accounts adds it; nothing at d5d901d7 writes it
    -- (BankAccount::markAsSynced is never called). No migration has last_sync_at.
    last_synced_at timestamp NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE bank_tokens (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    bank_code varchar(255) NOT NULL,
    access_token text NOT NULL,
    refresh_token text,
    expires_at timestamp NULL,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE bank_transactions (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    bank_account_id bigint REFERENCES bank_accounts (id) ON DELETE CASCADE,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    transaction_reference varchar(255),
    transaction_id varchar(255),
    amount decimal(15, 2) NOT NULL,
    currency varchar(3) NOT NULL DEFAULT 'MKD',
    transaction_type varchar(255) NOT NULL,
    booking_status varchar(255) NOT NULL DEFAULT 'booked',
    transaction_date date NOT NULL,
    description text,
    matched_invoice_id int REFERENCES invoices (id) ON DELETE SET NULL,
    processing_status varchar(255) NOT NULL DEFAULT 'unprocessed',
    source varchar(255) NOT NULL DEFAULT 'manual',
    raw_data json,
    created_at timestamp NULL, updated_at timestamp NULL,
    UNIQUE (bank_account_id, transaction_reference)
);

CREATE TABLE e_invoices (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    invoice_id int REFERENCES invoices (id) ON DELETE CASCADE,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    ubl_xml text,
    ubl_xml_signed text,
    status varchar(255) NOT NULL DEFAULT 'DRAFT',
    created_at timestamp NULL, updated_at timestamp NULL
);

-- Company QES certificates: valid_to, and (as at HEAD) no expires_at column.
CREATE TABLE certificates (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    valid_from timestamp NULL,
    valid_to timestamp NULL,
    encrypted_key_blob text,
    certificate_path varchar(255),
    is_active tinyint(1) NOT NULL DEFAULT 1,
    is_expired tinyint(1) NOT NULL DEFAULT 0,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE gateway_webhook_events (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int REFERENCES companies (id) ON DELETE SET NULL,
    provider varchar(255) NOT NULL,
    event_type varchar(255),
    event_id varchar(255),
    payload json,
    signature text,
    status varchar(255) NOT NULL DEFAULT 'pending',
    processed_at timestamp NULL,
    retry_count int NOT NULL DEFAULT 0,
    created_at timestamp NULL, updated_at timestamp NULL
);

CREATE TABLE import_calculations (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    payload json,
    created_at timestamp NULL, updated_at timestamp NULL
);

-- 2026_08_18_000001_make_audit_logs_company_id_nullable has run: company_id is nullable.
CREATE TABLE audit_logs (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    company_id int REFERENCES companies (id) ON DELETE CASCADE,
    user_id int REFERENCES users (id) ON DELETE SET NULL,
    event varchar(255) NOT NULL,
    auditable_type varchar(255),
    auditable_id bigint,
    old_values json,
    new_values json,
    created_at timestamp NULL
);
