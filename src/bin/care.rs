fn main() {
    patient_portal::start_care();
}
