fn main() {
    patient_portal::start();
}
