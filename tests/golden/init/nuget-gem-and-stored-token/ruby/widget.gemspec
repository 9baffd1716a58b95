Gem::Specification.new do |spec|
  spec.name = "widget"
  spec.version = Widget::VERSION
end
