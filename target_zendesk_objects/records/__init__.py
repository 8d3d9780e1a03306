"""What every stage passes on: a record's write, its natural keys, its values, the checks of its fields."""
